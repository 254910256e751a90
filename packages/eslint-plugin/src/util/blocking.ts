/** Built-in blocking APIs (canonical names, see `Bindings.canonicalName`) and what to use instead. */

const FS_SYNC_REPLACEMENT: Readonly<Record<string, string>> = {
  existsSync: "`await access()` from 'node:fs/promises' (or just try the operation)",
};

const CRYPTO_BLOCKING = new Set([
  'pbkdf2Sync', 'scryptSync', 'hkdfSync', 'generateKeyPairSync', 'generateKeySync', 'generatePrimeSync', 'checkPrimeSync',
]);
const CHILD_PROCESS_BLOCKING = new Set(['execSync', 'execFileSync', 'spawnSync']);

/** Why a canonical callee blocks, with a replacement hint; null when it does not. */
export function builtinBlockingHint(canonical: string): string | null {
  const dot = canonical.indexOf('.');
  if (dot < 0) return null;
  const module = canonical.slice(0, dot);
  const name = canonical.slice(dot + 1);
  if (name.includes('.')) return null;
  switch (module) {
    case 'fs':
    case 'fs-extra':
      if (!name.endsWith('Sync')) return null;
      return FS_SYNC_REPLACEMENT[name] ?? `use \`await ${name.slice(0, -4)}()\` from 'node:fs/promises'`;
    case 'child_process':
      return CHILD_PROCESS_BLOCKING.has(name) ? `use \`${name.slice(0, -4)}\` (promisified) or \`spawn\`` : null;
    case 'zlib':
      return name.endsWith('Sync') ? `use the callback form \`zlib.${name.slice(0, -4)}\` promisified, or the stream API` : null;
    case 'crypto':
      return CRYPTO_BLOCKING.has(name) ? `use the callback form \`crypto.${name.slice(0, -4)}\` promisified, or offload() it to a worker` : null;
    case 'Atomics':
      return name === 'wait' ? 'use `Atomics.waitAsync`' : null;
    default:
      return null;
  }
}

/** Node modules whose blocking functions the typed check recognises by declaration file. */
export const BLOCKING_NODE_TYPE_FILES = /\/@types\/node\/(fs|child_process|zlib|crypto)\.d\.ts$/;

/** Time reads that make a loop a busy wait. */
export const TIME_READS: ReadonlySet<string> = new Set(['Date.now', 'performance.now', 'process.hrtime', 'process.hrtime.bigint', 'perf_hooks.performance.now']);
