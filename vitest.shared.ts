import { fileURLToPath } from 'node:url';
import type { Alias } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Workspace packages resolve to their TypeScript sources in tests, so a test run never
 * depends on a stale `dist/`. The consumer smoke test is what checks the built packages.
 */
export const workspaceAliases: Alias[] = [
  { find: /^@asyncguard\/runtime\/llamaindex$/, replacement: here('./packages/runtime/src/llamaindex.ts') },
  { find: /^@asyncguard\/runtime\/fastify$/, replacement: here('./packages/runtime/src/fastify.ts') },
  { find: /^@asyncguard\/runtime$/, replacement: here('./packages/runtime/src/index.ts') },
  { find: /^@asyncguard\/testkit\/llamaindex$/, replacement: here('./packages/testkit/src/llamaindex.ts') },
  { find: /^@asyncguard\/testkit\/vitest$/, replacement: here('./packages/testkit/src/vitest.ts') },
  { find: /^@asyncguard\/testkit$/, replacement: here('./packages/testkit/src/index.ts') },
  { find: /^@asyncguard\/eslint-plugin$/, replacement: here('./packages/eslint-plugin/src/index.ts') },
  { find: /^@asyncguard\/codemod\/cli$/, replacement: here('./packages/codemod/src/cli.ts') },
  { find: /^@asyncguard\/codemod$/, replacement: here('./packages/codemod/src/index.ts') },
];
