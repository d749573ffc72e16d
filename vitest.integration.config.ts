import { defineConfig } from 'vitest/config';

/** The integration lane: tests against real servers that .ci/run installs (OpenSSH sshd). */
export default defineConfig({
  test: {
    include: ['vendors/*/test/integration/**/*.test.ts'],
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
