/**
 * The codemod on one large generated file: a dry run of every transform (analyse, transform,
 * type-check, print the unified diff, as `asyncguard-codemod --project dir` does) over a project
 * whose single source file has about 1k, 10k and 50k lines of service code (functions calling
 * readFileSync/existsSync/execSync and their callers, raw Redis calls, a client per request, a
 * floating promise). Each run is its own child process; per size it prints wall time, CPU time
 * (user + system: steadier than wall time on a shared machine) and peak memory (the child's max
 * RSS), for this build ("now") beside the implementation before issue 16 ("before": the build of
 * commit BEFORE, exported with `git archive` into a temporary folder and built there once).
 *
 * Floors (issue 16): 50k lines under 30 s and under 1 GB.
 *
 *   pnpm bench codemod-size [--rounds 3] [--sizes 1000,10000,50000] [--before <commit>] [--no-before]
 *                           [--before-max-lines 50000]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFile } from './generateFile.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** main before issue 16's codemod work: the n×m diff table, per-change re-scans. */
const BEFORE = '5eb5e06af97dd7d5099d4a6926d5132e0d43b2f0';
const FLOOR_LINES = 50_000;
const FLOOR_SECONDS = 30;
const FLOOR_RSS_BYTES = 1024 ** 3;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function numberOption(name: string, fallback: number): number {
  const v = Number(option(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = numberOption('rounds', 3);
const SIZES = (option('sizes') ?? '1000,10000,50000').split(',').map(Number).filter((n) => n > 0);
const BEFORE_REF = option('before') ?? BEFORE;
const WITH_BEFORE = !process.argv.includes('--no-before');
const BEFORE_MAX_LINES = numberOption('before-max-lines', Infinity);

interface Sample {
  seconds: number;
  cpuSeconds: number;
  rssBytes: number;
  changes: number;
  rolledBack: number;
  diffLines: number;
}

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The CLI of the codemod as it was at `ref`, built once into a temporary folder. */
function beforeBuild(ref: string): string {
  const sha = run('git', ['rev-parse', '--verify', `${ref}^{commit}`], root).trim();
  const dir = join(tmpdir(), `asyncguard-codemod-before-${sha.slice(0, 12)}`);
  const cli = join(dir, 'packages', 'codemod', 'dist', 'cli.js');
  if (existsSync(cli)) return cli;
  process.stdout.write(`building the codemod at ${sha.slice(0, 12)} in ${dir} (once)\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('sh', ['-c', `git archive --format=tar ${sha} | tar -x -C '${dir}'`], root);
  run('pnpm', ['install', '--frozen-lockfile', '--offline', '--filter', '@asyncguard/codemod...'], dir);
  run('pnpm', ['--filter', '@asyncguard/codemod', 'build'], dir);
  return cli;
}

function measure(cli: string, project: string): Sample {
  const started = performance.now();
  const out = run(process.execPath, [join(here, 'runChild.mjs'), cli, project], root);
  const seconds = (performance.now() - started) / 1000;
  const r = JSON.parse(out.trim().split('\n').pop()!) as { code: number; cpuSeconds: number; maxRssBytes: number; changes: number; rolledBack: number; diffLines: number };
  if (r.code !== 0) throw new Error(`codemod exited with ${r.code} on ${project}`);
  return { seconds, cpuSeconds: r.cpuSeconds, rssBytes: r.maxRssBytes, changes: r.changes, rolledBack: r.rolledBack, diffLines: r.diffLines };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const nowCli = join(root, 'packages', 'codemod', 'dist', 'cli.js');
const beforeCli = WITH_BEFORE ? beforeBuild(BEFORE_REF) : undefined;
const work = mkdtempSync(join(tmpdir(), 'asyncguard-codemod-size-'));
try {
  const projects = SIZES.map((lines) => {
    const dir = join(work, `lines-${lines}`);
    const shape = generateFile(dir, lines, root);
    return { target: lines, dir, ...shape };
  });
  const samples = new Map<number, { now: Sample[]; before: Sample[] }>(SIZES.map((s) => [s, { now: [], before: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of projects) {
      const runBefore = beforeCli !== undefined && p.target <= BEFORE_MAX_LINES;
      const order = round % 2 === 0 ? (['now', 'before'] as const) : (['before', 'now'] as const);
      for (const who of order) {
        if (who === 'before' && !runBefore) continue;
        const sample = measure(who === 'now' ? nowCli : beforeCli!, p.dir);
        samples.get(p.target)![who].push(sample);
        process.stdout.write(`round ${round + 1}/${ROUNDS}, ${p.lines} lines, ${who}: ${sample.seconds.toFixed(1)} s (cpu ${sample.cpuSeconds.toFixed(1)} s), ${(sample.rssBytes / 1024 ** 2).toFixed(0)} MB, ${sample.changes} changes\n`);
      }
    }
  }

  const mb = (b: number): string => `${(b / 1024 ** 2).toFixed(0)} MB`;
  const s = (x: number): string => `${x.toFixed(1)} s`;
  process.stdout.write(`\n| lines | changes | before: wall | before: CPU | before: peak RSS | now: wall | now: CPU | now: peak RSS | wall before/now | CPU before/now | RSS before/now |\n`);
  process.stdout.write(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n`);
  let floorsMet = true;
  let sameChanges = true;
  for (const p of projects) {
    const { now, before } = samples.get(p.target)!;
    const nowWall = median(now.map((x) => x.seconds));
    const nowCpu = median(now.map((x) => x.cpuSeconds));
    const nowRss = median(now.map((x) => x.rssBytes));
    const cells = [`${p.lines}`, `${now[0]!.changes}`];
    if (before.length > 0) {
      const bWall = median(before.map((x) => x.seconds));
      const bCpu = median(before.map((x) => x.cpuSeconds));
      const bRss = median(before.map((x) => x.rssBytes));
      cells.push(s(bWall), s(bCpu), mb(bRss), s(nowWall), s(nowCpu), mb(nowRss), `${(bWall / nowWall).toFixed(1)}x`, `${(bCpu / nowCpu).toFixed(1)}x`, `${(bRss / nowRss).toFixed(1)}x`);
      if (before.some((x) => x.changes !== now[0]!.changes || x.rolledBack !== now[0]!.rolledBack)) sameChanges = false;
    } else {
      cells.push('–', '–', '–', s(nowWall), s(nowCpu), mb(nowRss), '–', '–', '–');
    }
    process.stdout.write(`| ${cells.join(' | ')} |\n`);
    if (now.some((x) => x.rolledBack > 0)) sameChanges = false;
    if (p.target >= FLOOR_LINES) {
      const worstRss = Math.max(...now.map((x) => x.rssBytes));
      const timeOk = nowWall < FLOOR_SECONDS;
      const rssOk = worstRss < FLOOR_RSS_BYTES;
      process.stdout.write(`\nfloor (${p.lines} lines): under ${FLOOR_SECONDS} s: ${timeOk ? 'met' : 'MISSED'} (median wall ${s(nowWall)}, CPU ${s(nowCpu)}); ` +
        `under 1 GB: ${rssOk ? 'met' : 'MISSED'} (worst round ${mb(worstRss)})\n`);
      floorsMet &&= timeOk && rssOk;
    }
  }
  process.stdout.write(`medians of ${ROUNDS} round(s); "before" is ${BEFORE_REF.slice(0, 12)}${BEFORE_MAX_LINES < Infinity ? ` (only up to ${BEFORE_MAX_LINES} lines)` : ''}\n`);
  process.stdout.write(`same number of changes before and now, nothing rolled back: ${sameChanges ? 'yes' : 'NO'}\n`);
  if (!floorsMet || !sameChanges) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
