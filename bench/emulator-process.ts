// Runs the embedded emulators in their own process, so a benchmark measures only the pipeline's work.
// Prints one JSON line with the endpoints, then serves until its parent closes stdin.
import { startEmulators } from '#cli/local/emulators.ts';

const emulators = await startEmulators();
process.stdout.write(`${JSON.stringify(emulators.endpoints)}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await emulators.stop();
  process.exit(0);
});
