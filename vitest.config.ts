import { defineConfig } from 'vitest/config';

// Two speeds: `unit` (src/**, the modules on their own, in-process) and `e2e` (test/**: the CLI
// spawned as a user runs it, the browser report, Slurm). `npm test` runs both; `npm run test:unit`
// is the quick loop while editing.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    globalSetup: ['test/temp-root.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'] } },
    ],
  },
});
