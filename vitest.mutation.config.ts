import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutation` runs against each mutant: the unit project (pure code, and the stage
 * services over in-memory ports). Integration tests start emulators per file, too slow to run per
 * mutant. Instrumented code on two busy cores is several times slower than plain: the property
 * tests get more time than vitest's 5 s default.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    env: base.test?.env,
    testTimeout: 60_000,
  },
});
