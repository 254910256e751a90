#!/usr/bin/env node
// `pnpm bench <name> [args...]`: builds the packages, then runs bench/<name>/index.ts with tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const available = existsSync(benchDir)
  ? readdirSync(benchDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'index.ts')))
      .map((d) => d.name)
  : [];
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !available.includes(name)) {
  process.stderr.write(
    `${name === undefined ? 'Name a benchmark' : `No benchmark named "${name}"`}. Available: ${available.join(', ') || '(none)'}\n` +
      'Usage: pnpm bench <name> [args...]\n',
  );
  process.exit(2);
}
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (process.env.ASYNCGUARD_BENCH_SKIP_BUILD !== '1') run('pnpm', ['--silent', 'build']);
run(join(root, 'node_modules', '.bin', 'tsx'), ['--expose-gc', join(benchDir, name, 'index.ts'), ...rest]);
