import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The local runtime starts servers per test file; two workers match the 2-core machines.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    setupFiles: ['local/polyfills.ts'],
  },
});
