import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: {
    alias: [
      // The testkit's LlamaIndex subpath, from sources like the other workspace entries.
      { find: /^@asyncguard\/testkit\/llamaindex$/, replacement: fileURLToPath(new URL('../../packages/testkit/src/llamaindex.ts', import.meta.url)) },
      ...workspaceAliases,
    ],
  },
  test: {
    name: 'legacy-kb',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
  },
});
