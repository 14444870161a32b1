/** Passes a stream through unchanged, showing each chunk to `see` on the way (for hashing and counting). */
export async function* tap(
  source: AsyncIterable<Uint8Array>,
  see: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    see(chunk);
    yield chunk;
  }
}
