import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'consumer-smoke',
    include: ['*.test.ts'],
    // Packing four packages and an npm install from the registry take a while on a cold cache.
    hookTimeout: 600_000,
    testTimeout: 120_000,
  },
});
