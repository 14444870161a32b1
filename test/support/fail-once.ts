/**
 * Makes a port method throw `message` once, the first time `when` holds for its arguments; every other
 * call goes through. A fault the emulators cannot produce at a chosen moment.
 */
export function failOnce<T, K extends keyof T>(
  port: T,
  method: K,
  when: (...args: T[K] extends (...a: infer A) => unknown ? A : never) => boolean,
  message: string,
) {
  const original = port[method] as (...a: unknown[]) => Promise<unknown>;
  let failed = false;
  port[method] = (async (...args: Parameters<typeof when>) => {
    if (!failed && when(...args)) {
      failed = true;
      throw new Error(message);
    }
    return original.apply(port, args);
  }) as T[K];
}
