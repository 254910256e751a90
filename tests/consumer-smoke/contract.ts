import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
  /** Peer dependencies every entry needs (the rest must be optional). */
  requiredPeers?: string[];
}

export const CONTRACT: PackageContract[] = [
  { dir: 'packages/runtime', name: '@asyncguard/runtime', entries: ['.', './llamaindex', './fastify'] },
  { dir: 'packages/testkit', name: '@asyncguard/testkit', entries: ['.', './vitest', './llamaindex'], vitestOnly: ['./vitest'], requiredPeers: ['ioredis'] },
  { dir: 'packages/eslint-plugin', name: '@asyncguard/eslint-plugin', entries: ['.'], requiredPeers: ['eslint'] },
  { dir: 'packages/codemod', name: '@asyncguard/codemod', entries: ['.', './cli'], bins: ['asyncguard-codemod'] },
];

/** The version the workspace catalog pins for a dependency (pnpm-workspace.yaml), so the consumer installs the same one. */
export function catalogVersion(name: string): string {
  const yaml = readFileSync(fileURLToPath(new URL('../../pnpm-workspace.yaml', import.meta.url)), 'utf8');
  const match = new RegExp(`^\\s+'?${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'?:\\s*(\\S+)\\s*$`, 'm').exec(yaml);
  if (!match) throw new Error(`${name} is not in the pnpm-workspace.yaml catalog`);
  return match[1]!;
}

/**
 * What the consumer installs beside the tarballs: the optional peers the entries above use, and
 * oxlint (the plugin's rules also run as oxlint JS plugins).
 */
export const CONSUMER_EXTRAS = [
  'ioredis@5',
  'llamaindex@0.12.1',
  'vitest@4.1.12',
  'vite@8.3.8',
  'fast-check@4',
  'typescript@6.0.3',
  '@types/node@20',
  `oxlint@${catalogVersion('oxlint')}`,
];
