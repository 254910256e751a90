import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'boundaries',
    include: ['*.test.ts'],
    // Type-aware parsing of the whole repo (the lint config's projectService) takes a while.
    testTimeout: 180_000,
  },
});
