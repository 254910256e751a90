/**
 * The generated corpus: a TypeScript project of `files` modules that use ioredis and fs the way
 * services do — awaited and floating commands, protected and unprotected calls, sync reads in
 * async code, constructors, catches. Deterministic for a given size.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface CorpusOptions {
  dir: string;
  files: number;
  repoRoot: string;
}

function handler(i: number): string {
  const v = i % 6;
  const lines = [
    "import { Redis } from 'ioredis';",
    "import { readFileSync, existsSync } from 'node:fs';",
    "import { readFile, writeFile } from 'node:fs/promises';",
    "import { withTimeout } from '@asyncguard/runtime';",
    "import { shared } from '../clients.js';",
    '',
    `const local = new Redis({ lazyConnect: true${v === 0 ? ', commandTimeout: 1500' : ''} });`,
    `const TEMPLATE = readFileSync(new URL('./template-${i}.txt', import.meta.url), 'utf8');`,
    '',
    `export interface Item${i} { id: string; name: string; score: number }`,
    '',
    `export async function load${i}(id: string): Promise<Item${i} | null> {`,
    `  const raw = await withTimeout(local.get(\`item:${i}:\${id}\`), 2000);`,
    '  if (raw === null) return null;',
    `  return JSON.parse(raw) as Item${i};`,
    '}',
    '',
    `export async function save${i}(item: Item${i}): Promise<void> {`,
    v === 1 ? `  local.set(\`item:${i}:\${item.id}\`, JSON.stringify(item));` : `  await withTimeout(local.set(\`item:${i}:\${item.id}\`, JSON.stringify(item)), 2000);`,
    `  await shared.expire(\`item:${i}:\${item.id}\`, 60);`,
    '}',
    '',
    `export async function render${i}(id: string): Promise<string> {`,
    v === 2 ? `  const extra = readFileSync('extra-${i}.txt', 'utf8');` : `  const extra = await readFile('extra-${i}.txt', 'utf8');`,
    `  const item = await load${i}(id);`,
    `  return TEMPLATE.replace('{{name}}', item?.name ?? '') + extra;`,
    '}',
    '',
    `export async function scores${i}(ids: string[]): Promise<number[]> {`,
    v === 3 ? `  ids.map(async (id) => load${i}(id));` : '',
    `  const items = await Promise.all(ids.map((id) => load${i}(id)));`,
    '  let total = 0;',
    '  for (const item of items) {',
    '    if (item) total += item.score;',
    '  }',
    '  return items.map((item) => (item ? item.score / Math.max(total, 1) : 0));',
    '}',
    '',
    `export class Cache${i} {`,
    '  private hits = 0;',
    '  constructor(private readonly prefix: string) {',
    v === 4 ? `    void local.ping();` : '',
    '  }',
    '  async get(key: string): Promise<string | null> {',
    '    try {',
    '      const value = await withTimeout(local.get(this.prefix + key), 2000);',
    '      if (value !== null) this.hits++;',
    '      return value;',
    v === 5 ? '    } catch {\n      return null;' : '    } catch (error) {\n      console.warn(\'cache read failed\', error);\n      return null;',
    '    }',
    '  }',
    '  async persist(): Promise<void> {',
    `    if (!existsSync('cache-${i}')) await writeFile('cache-${i}', String(this.hits));`,
    '  }',
    '}',
    '',
  ];
  return lines.filter((l, idx, all) => l !== '' || all[idx - 1] !== '').join('\n');
}

export function writeCorpus({ dir, files, repoRoot }: CorpusOptions): number {
  mkdirSync(join(dir, 'src', 'handlers'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'lint-bench-corpus', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, 'src', 'clients.ts'),
    "import { Redis } from 'ioredis';\n\nexport const shared = new Redis({ lazyConnect: true, commandTimeout: 2000 });\n",
  );
  for (let i = 0; i < files; i++) writeFileSync(join(dir, 'src', 'handlers', `h${i}.ts`), handler(i));
  // Resolve ioredis, Node's types and the runtime from the workspace.
  const links: [string, string][] = [
    ['ioredis', join(repoRoot, 'node_modules', 'ioredis')],
    ['@types/node', join(repoRoot, 'packages', 'eslint-plugin', 'node_modules', '@types', 'node')],
    ['@asyncguard/runtime', join(repoRoot, 'packages', 'runtime')],
  ];
  for (const [name, target] of links) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  return files + 1;
}
