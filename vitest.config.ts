import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'vendors/*/test/**/*.test.ts'],
    // The OpenSSH lane needs root and a system sshd: `npm run test:integration`, which .ci/run runs.
    exclude: ['**/test/integration/**', 'node_modules/**'],
    // The local runtime starts servers per test file; two workers match the 2-core machines.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
