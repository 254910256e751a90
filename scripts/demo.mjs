#!/usr/bin/env node
// `pnpm demo`: builds the packages with their output hidden (one progress line; the whole log only
// if the build fails), then runs the TypeScript demo in scripts/demo/ with tsx.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['runtime', 'eslint-plugin', 'codemod', 'testkit'];
const tty = process.stdout.isTTY === true;
const began = performance.now();

/** The root `build` script (runtime first, then the other packages), its log kept in memory; resolves with the exit code. */
function build(onDone) {
  // Under `pnpm demo`, npm_execpath is pnpm's own script; run directly, `pnpm` from PATH.
  const pnpm = process.env.npm_execpath;
  const [command, prefix] = pnpm !== undefined && /\.c?js$/.test(pnpm) ? [process.execPath, [pnpm]] : ['pnpm', []];
  const child = spawn(command, [...prefix, 'run', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const read = (chunk) => {
    log += chunk;
    for (const name of PACKAGES) if (new RegExp(`packages/${name} build: Done`).test(log)) onDone(name);
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: 1, log: `${log}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, log }));
  });
}

const done = new Set();
const line = () => `building ${PACKAGES.map((p) => (done.has(p) ? `${p} ✓` : p)).join(', ')} (${((performance.now() - began) / 1000).toFixed(0)} s)`;
process.stdout.write(tty ? line() : 'building the packages (output shown only if the build fails)… ');
const ticker = tty ? setInterval(() => process.stdout.write(`\r${line()}\u001b[K`), 1000) : undefined;
const result = await build((name) => {
  if (done.has(name)) return;
  done.add(name);
  if (tty) process.stdout.write(`\r${line()}\u001b[K`);
});
clearInterval(ticker);
const took = `${((performance.now() - began) / 1000).toFixed(1)} s`;
if (result.code !== 0) {
  process.stdout.write(`${tty ? '\r\u001b[K' : ''}build failed (exit ${result.code}) after ${took}; its output:\n\n`);
  process.stdout.write(result.log);
  process.exit(result.code);
}
process.stdout.write(tty ? `\r\u001b[Kbuilt ${PACKAGES.join(', ')} in ${took}\n` : `done in ${took}\n`);

const env = { ...process.env, ASYNCGUARD_DEMO_BUILD_MS: String(Math.round(performance.now() - began)) };
const demo = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'demo', 'main.ts')], { cwd: root, stdio: 'inherit', env });
process.exit(demo.status ?? 1);
