/**
 * The codemod on a generated project of 1,000 files with 300 synchronous call sites in call
 * chains up to 6 deep: wall time and peak memory (max RSS, from /usr/bin/time) of the codemod's
 * analysis + transform + verification (a dry run of sync-to-async with --include-exports), beside
 * `tsc --noEmit` on the same project, each in its own child process, interleaved per round.
 *
 * Floors (issue #8): codemod wall time at most 4x tsc --noEmit; codemod peak memory under 2 GB.
 *
 *   pnpm bench codemod [--rounds 5] [--files 1000] [--sites 300]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProject } from './generateProject.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = arg('rounds', 5);
const FILES = arg('files', 1000);
const SITES = arg('sites', 300);
const MAX_TIME_RATIO = 4;
const MAX_RSS_BYTES = 2 * 1024 ** 3;

interface Sample {
  seconds: number;
  /** user + system CPU seconds: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  rssBytes: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time and returns its wall time and max RSS. */
function measure(command: string, args: string[]): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', command, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (result.status !== 0 || line === null) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { seconds: Number(line[1]), rssBytes: Number(line[2]) * 1024, cpuSeconds: Number(line[3]) + Number(line[4]), stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dir = mkdtempSync(join(tmpdir(), 'asyncguard-codemod-bench-'));
try {
  const typeRoots = join(root, 'packages', 'codemod', 'node_modules', '@types');
  const shape = generateProject(dir, FILES, SITES, 6, typeRoots);
  process.stdout.write(`generated ${shape.files} files, ${shape.syncCallSites} sync call sites, ${shape.chainFunctions} functions in chains (in ${dir})\n`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = join(here, 'runCodemodChild.mjs');
  const samples = { tsc: [] as Sample[], codemod: [] as Sample[] };
  let summary = '';
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['tsc', 'codemod'] as const) : (['codemod', 'tsc'] as const);
    for (const who of order) {
      const sample = who === 'tsc' ? measure(process.execPath, [tsc, '--noEmit', '-p', dir]) : measure(process.execPath, [child, dir]);
      samples[who].push(sample);
      if (who === 'codemod') summary = sample.stdout.trim();
    }
    const t = samples.tsc[round]!;
    const c = samples.codemod[round]!;
    process.stdout.write(`round ${round + 1}/${ROUNDS}: tsc ${t.seconds.toFixed(2)} s (cpu ${t.cpuSeconds.toFixed(2)} s), codemod ${c.seconds.toFixed(2)} s (cpu ${c.cpuSeconds.toFixed(2)} s)\n`);
  }
  const parsed = JSON.parse(summary) as { changes: number; seeds: number; files: number; stops: number; rolledBack: number };
  const tscTime = median(samples.tsc.map((s) => s.seconds));
  const codemodTime = median(samples.codemod.map((s) => s.seconds));
  const tscCpu = median(samples.tsc.map((s) => s.cpuSeconds));
  const codemodCpu = median(samples.codemod.map((s) => s.cpuSeconds));
  const tscRss = median(samples.tsc.map((s) => s.rssBytes));
  const codemodRss = median(samples.codemod.map((s) => s.rssBytes));
  const peakRss = Math.max(...samples.codemod.map((s) => s.rssBytes));
  const mb = (b: number): string => `${(b / 1024 ** 2).toFixed(0)} MB`;
  const ratio = codemodTime / tscTime;
  process.stdout.write(`\ncodemod report: ${parsed.seeds}/${shape.syncCallSites} sync call sites converted, ${parsed.changes} changes in ${parsed.files} files, ${parsed.stops} stops, ${parsed.rolledBack} rolled back\n\n`);
  process.stdout.write(`| contender (median of ${ROUNDS}) | wall time | CPU time | peak RSS | wall vs tsc | CPU vs tsc |\n|---|---:|---:|---:|---:|---:|\n`);
  process.stdout.write(`| tsc --noEmit | ${tscTime.toFixed(2)} s | ${tscCpu.toFixed(2)} s | ${mb(tscRss)} | 1.00x | 1.00x |\n`);
  process.stdout.write(`| asyncguard-codemod (analyse + transform + verify) | ${codemodTime.toFixed(2)} s | ${codemodCpu.toFixed(2)} s | ${mb(codemodRss)} | ${ratio.toFixed(2)}x | ${(codemodCpu / tscCpu).toFixed(2)}x |\n\n`);
  const timeOk = ratio <= MAX_TIME_RATIO;
  const memoryOk = peakRss < MAX_RSS_BYTES;
  const converted = parsed.seeds === shape.syncCallSites && parsed.rolledBack === 0;
  process.stdout.write(`floor: time <= ${MAX_TIME_RATIO}x tsc: ${timeOk ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x)\n`);
  process.stdout.write(`floor: peak memory < 2 GB: ${memoryOk ? 'met' : 'MISSED'} (max over rounds ${mb(peakRss)})\n`);
  process.stdout.write(`all call sites converted, nothing rolled back: ${converted ? 'yes' : 'NO'}\n`);
  if (!timeOk || !memoryOk || !converted) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
