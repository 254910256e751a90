/**
 * Runs one shell command of a project (install, tests, codemod, tsc) with a time limit, its output
 * in a log file, wall time and peak memory from /usr/bin/time, and, when `isolated`, in fresh
 * network and PID namespaces: only loopback is reachable and every process the command leaves
 * behind ends with it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface RunOptions {
  cwd: string;
  /** Where stdout and stderr go (both, interleaved). */
  log: string;
  timeoutSeconds: number;
  /** Loopback-only network and a PID namespace that ends with the command. */
  isolated: boolean;
  env?: Record<string, string>;
}

export interface RunResult {
  exitCode: number | null;
  timedOut: boolean;
  seconds: number;
  /** Max resident set size in bytes (undefined without /usr/bin/time). */
  peakBytes?: number;
  output: string;
}

const TIME = '/usr/bin/time';
const MARK = '__CODEMOD_REAL_TIME__';

let isolationChecked: boolean | undefined;

/** Whether `unshare` can give us a network namespace with loopback up (needs root or user namespaces). */
export function canIsolate(): boolean {
  if (isolationChecked !== undefined) return isolationChecked;
  const probe = spawnSync('unshare', ['-npf', '--kill-child', 'sh', '-c', 'ip link set lo up && echo ok'], { encoding: 'utf8' });
  isolationChecked = probe.status === 0 && probe.stdout.trim() === 'ok';
  return isolationChecked;
}

/**
 * The environment a project's commands see: ours without the variables pnpm/tsx set for this repo
 * (npm_*, NODE_OPTIONS, our node_modules/.bin on PATH), the project's own .bin first, no colours.
 */
export function projectEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|TSX_|VITEST|INIT_CWD$|NODE_PATH$)/.test(key)) continue;
    env[key] = value;
  }
  const path = (env.PATH ?? '').split(delimiter).filter((p) => p !== '' && !p.includes('node_modules'));
  env.PATH = [join(dir, 'node_modules', '.bin'), ...path].join(delimiter);
  return { ...env, ...extra };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Runs `command` (a shell command line) and waits for it. Never throws for a failing command. */
export function runCommand(command: string, options: RunOptions): RunResult {
  const inner = options.isolated
    ? `unshare -npf --kill-child sh -c ${shellQuote(`ip link set lo up && exec sh -c ${shellQuote(command)}`)}`
    : command;
  const limited = `timeout -k 10 ${Math.ceil(options.timeoutSeconds)} sh -c ${shellQuote(inner)}`;
  const timed = existsSync(TIME);
  const fd = openSync(options.log, 'a');
  const started = process.hrtime.bigint();
  let result;
  try {
    result = timed
      ? spawnSync(TIME, ['-f', `${MARK} %e %M %x`, 'sh', '-c', limited], { cwd: options.cwd, env: options.env ?? projectEnv(options.cwd), stdio: ['ignore', fd, fd] })
      : spawnSync('sh', ['-c', limited], { cwd: options.cwd, env: options.env ?? projectEnv(options.cwd), stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw new Error(`can't start "${command}" in ${options.cwd}: ${result.error.message}`);
  const output = readFileSync(options.log, 'utf8');
  const mark = timed ? new RegExp(`${MARK} ([\\d.]+) (\\d+) (\\d+)\\s*$`).exec(output) : null;
  const exitCode = result.status;
  const run: RunResult = {
    exitCode,
    timedOut: exitCode === 124 || exitCode === 137,
    seconds: mark ? Number(mark[1]) : elapsed,
    output: mark ? output.slice(0, mark.index) : output,
  };
  if (mark) run.peakBytes = Number(mark[2]) * 1024;
  return run;
}
