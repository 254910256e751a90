/**
 * The public surface every published package promises: its export subpaths and bins. The smoke
 * test checks the packed tarballs against this list, so dropping an entry is a visible change.
 */
export interface PackageContract {
  dir: string;
  name: string;
  /** Subpaths in `exports` besides `./package.json`. */
  entries: string[];
  /** Entries that import a test runner and so only load inside Vitest. */
  vitestOnly?: string[];
  bins?: string[];
}

export const CONTRACT: PackageContract[] = [
  { dir: 'packages/runtime', name: '@asyncguard/runtime', entries: ['.', './llamaindex'] },
  { dir: 'packages/testkit', name: '@asyncguard/testkit', entries: ['.', './vitest', './llamaindex'], vitestOnly: ['./vitest'] },
  { dir: 'packages/eslint-plugin', name: '@asyncguard/eslint-plugin', entries: ['.'] },
  { dir: 'packages/codemod', name: '@asyncguard/codemod', entries: ['.', './cli'], bins: ['asyncguard-codemod'] },
];

/** What the consumer installs beside the tarballs: the optional peers the entries above use. */
export const CONSUMER_EXTRAS = ['ioredis@5', 'llamaindex@0.12.1', 'vitest@4.1.12', 'vite@8.3.8', 'fast-check@4', 'typescript@6.0.3', '@types/node@20'];
