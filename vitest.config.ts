import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start their own pm2 daemon; two cores do not take more than a few at once.
    maxWorkers: 2,
    env: { RL_RUN_NO_USER_CONFIG: '1' },
  },
});
