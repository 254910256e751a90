import { defineConfig } from 'vitest/config';

// One run over every package and example. Each project has its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'tests/*/vitest.config.ts'],
    // Two cores on CI: keep parallelism modest so timing-sensitive suites stay honest.
    maxWorkers: 2,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
