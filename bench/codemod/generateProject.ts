import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedProject {
  files: number;
  syncCallSites: number;
  chainFunctions: number;
}

/**
 * Writes a TypeScript project of `files` modules into `dir`: `sites` synchronous fs/child_process
 * call sites, each at the bottom of a call chain 1..`maxDepth` functions deep spread over
 * different files, whose top is an async entry point; the rest is ordinary typed code (interfaces,
 * classes, generics) so the type checker has real work. Deterministic for given arguments.
 */
export function generateProject(dir: string, files = 1000, sites = 300, maxDepth = 6, typeRoots?: string): GeneratedProject {
  const bodies: string[][] = Array.from({ length: files }, () => []);
  const imports: Array<Map<string, Set<string>>> = Array.from({ length: files }, () => new Map());
  const nodeImports: Array<Set<string>> = Array.from({ length: files }, () => new Set());
  const fileOf = (chain: number, level: number): number => (chain * 7 + level * 131 + 3) % files;
  const use = (from: number, to: number, name: string): void => {
    if (from === to) return;
    const key = `./m${String(to).padStart(4, '0')}.js`;
    let names = imports[from]!.get(key);
    if (names === undefined) imports[from]!.set(key, (names = new Set()));
    names.add(name);
  };
  let chainFunctions = 0;
  for (let chain = 0; chain < sites; chain++) {
    const depth = 1 + (chain % maxDepth);
    for (let level = 0; level < depth; level++) {
      const file = fileOf(chain, level);
      const name = `c${chain}_${level}`;
      chainFunctions++;
      if (level === depth - 1) {
        const kind = chain % 4;
        if (kind === 0 || kind === 1) {
          nodeImports[file]!.add('readFileSync');
          bodies[file]!.push(`/** Reads the record for chain ${chain}. */\nexport function ${name}(path: string): number {\n  const text = readFileSync(path, 'utf8');\n  return text.length + ${level};\n}`);
        } else if (kind === 2) {
          nodeImports[file]!.add('statSync');
          bodies[file]!.push(`export function ${name}(path: string): number {\n  return statSync(path).size;\n}`);
        } else {
          nodeImports[file]!.add('existsSync');
          bodies[file]!.push(`export function ${name}(path: string): number {\n  return existsSync(path) ? 1 : 0;\n}`);
        }
      } else {
        const next = `c${chain}_${level + 1}`;
        use(file, fileOf(chain, level + 1), next);
        bodies[file]!.push(`export function ${name}(path: string): number {\n  const inner = ${next}(path);\n  return inner * 2 + ${level};\n}`);
      }
    }
    const top = fileOf(chain, 0);
    const entryFile = (top + 500) % files;
    use(entryFile, top, `c${chain}_0`);
    bodies[entryFile]!.push(`export async function entry${chain}(path: string): Promise<number> {\n  return c${chain}_0(path);\n}`);
  }
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (let i = 0; i < files; i++) {
    const head: string[] = [];
    if (nodeImports[i]!.size > 0) head.push(`import { ${[...nodeImports[i]!].sort().join(', ')} } from 'node:fs';`);
    for (const [from, names] of imports[i]!) head.push(`import { ${[...names].sort().join(', ')} } from '${from}';`);
    const text = [...head, '', filler(i), '', ...bodies[i]!.flatMap((b) => [b, ''])].join('\n');
    writeFileSync(join(dir, 'src', `m${String(i).padStart(4, '0')}.ts`), text);
  }
  writeFileSync(join(dir, 'package.json'), '{ "name": "generated-codemod-bench", "private": true, "type": "module" }\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
      types: ['node'], ...(typeRoots ? { typeRoots: [typeRoots] } : {}),
    },
    include: ['src'],
  }, null, 2));
  return { files, syncCallSites: sites, chainFunctions };
}

function filler(i: number): string {
  return `export interface Record${i}<T> {
  readonly id: number;
  readonly value: T;
  tags: string[];
}

export class Store${i}<T> {
  private readonly items = new Map<number, Record${i}<T>>();

  put(record: Record${i}<T>): this {
    this.items.set(record.id, record);
    return this;
  }

  find(predicate: (record: Record${i}<T>) => boolean): Record${i}<T> | undefined {
    for (const record of this.items.values()) if (predicate(record)) return record;
    return undefined;
  }

  tagged(tag: string): Array<Record${i}<T>> {
    return [...this.items.values()].filter((r) => r.tags.includes(tag));
  }
}

export function summarize${i}(values: readonly number[]): { min: number; max: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, mean: sorted.length ? sum / sorted.length : 0 };
}

export type Keyed${i}<T extends { id: number }> = { [K in keyof T as \`get_\${string & K}\`]: () => T[K] };`;
}
