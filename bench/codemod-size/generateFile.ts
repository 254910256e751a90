import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedFile {
  lines: number;
  units: number;
}

/** One unit of realistic service code (about 60 lines) touching every transform. */
function unit(i: number): string {
  return `/** Reads the settings of tenant ${i}. */
export function readSettings${i}(path: string): string {
  const text = readFileSync(path, 'utf8');
  return text.trim();
}

export function settingsSize${i}(path: string): number {
  const settings = readSettings${i}(path);
  const extra = existsSync(path + '.local') ? 1 : 0;
  return settings.length + extra + ${i};
}

export function gitRevision${i}(dir: string): string {
  const out = execSync('git rev-parse HEAD', { cwd: dir });
  return out.toString().trim();
}

export function describe${i}(dir: string): string {
  const rev = gitRevision${i}(dir);
  const size = settingsSize${i}(dir + '/settings.json');
  return \`\${rev}:\${size}\`;
}

export async function getUser${i}(id: string): Promise<string | null> {
  const cached = await redis.get(\`user:${i}:\${id}\`);
  if (cached !== null) return cached;
  await redis.set(\`user:${i}:\${id}\`, describe${i}('.'));
  return redis.get(\`user:${i}:\${id}\`);
}

async function remember${i}(value: string): Promise<void> {
  await redis.hset('memory:${i}', { value });
}

export async function job${i}(values: string[]): Promise<number> {
  remember${i}(values[0] ?? '');
  let total = 0;
  for (const value of values) {
    total += value.length * ${i % 7 + 1};
  }
  return total;
}

export async function perRequest${i}(key: string): Promise<string | null> {
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    return await client.get(key);
  } finally {
    await client.quit();
  }
}

interface Point${i} {
  x: number;
  y: number;
}

export function distance${i}(a: Point${i}, b: Point${i}): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return Math.sqrt(dx * dx + dy * dy);
}

`;
}

const HEADER = `import { readFileSync, existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';

const redis = new Redis();

`;

/**
 * Writes a project with one generated TypeScript file of about `lines` lines (src/big.ts):
 * functions calling readFileSync/existsSync/execSync and their callers (sync-to-async), raw Redis
 * calls (redis-timeouts), a client per request (redis-manager) and a floating promise
 * (add-missing-await). `ioredis` resolves to the repository's copy; `@asyncguard/runtime` to a
 * declaration stub. Deterministic for a given `lines`.
 */
export function generateFile(dir: string, lines: number, repoRoot: string): GeneratedFile {
  const unitLines = unit(0).split('\n').length - 1;
  const units = Math.max(1, Math.round((lines - HEADER.split('\n').length) / unitLines));
  const parts = [HEADER];
  for (let i = 0; i < units; i++) parts.push(unit(i));
  const text = parts.join('');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'src', 'big.ts'), text);
  writeFileSync(join(dir, 'src', 'runtime.d.ts'), `declare module '@asyncguard/runtime' {
  import type { Redis } from 'ioredis';
  export function withTimeout<T>(work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>), ms: number): Promise<T>;
  export interface RedisManager {
    readonly redis: Redis;
  }
  export function getRedisManager(options?: { url?: string; name?: string }): RedisManager;
}
`);
  symlinkSync(join(repoRoot, 'packages', 'runtime', 'node_modules', 'ioredis'), join(dir, 'node_modules', 'ioredis'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'generated', private: true, type: 'module' }, null, 2) + '\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
      types: ['node'], typeRoots: [join(repoRoot, 'packages', 'codemod', 'node_modules', '@types')],
    },
    include: ['src'],
  }, null, 2) + '\n');
  return { lines: text.split('\n').length - 1, units };
}
