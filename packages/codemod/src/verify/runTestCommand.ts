import { spawn } from 'node:child_process';
import { parseTestOutput, type TestOutcome } from './parseTestOutput.js';

/** Output kept per run: the end matters (summaries), the start rarely does. */
const MAX_OUTPUT = 4 * 1024 * 1024;

export interface TestRun extends TestOutcome {
  /** The command's exit code; null when it was killed (a signal or the time limit). */
  exitCode: number | null;
  timedOut: boolean;
  /** The last lines of stdout and stderr together, for the report when no test names were found. */
  tail: string;
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  /** Replaced by `.` in the output before it is parsed, so test names don't carry a temp path. */
  hidePath?: string;
}

/**
 * Runs the project's test command through the shell in its own process group, offline
 * (`npm_config_offline=true`, and `CI=true` unless set, so no runner watches or writes snapshots),
 * with no stdin. At the time limit the whole
 * group is killed (the test runner and whatever it started); the group is also killed once the
 * command exits, so a server a test forgot to close does not outlive the run, and when this
 * process gets SIGINT/SIGTERM/SIGHUP during the run.
 */
export function runTestCommand(command: string, options: RunOptions): Promise<TestRun> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > MAX_OUTPUT) output = output.slice(output.length - MAX_OUTPUT);
    };
    const child = spawn(command, {
      cwd: options.cwd,
      shell: true,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_offline: 'true', CI: process.env.CI ?? 'true' },
    });
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        if (process.platform === 'win32') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    // The group is detached from the terminal's, so Ctrl-C would not reach it: kill it ourselves,
    // then let the signal do what it would have done.
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const onSignal = (signal: NodeJS.Signals): void => {
      killGroup();
      for (const s of signals) process.off(s, onSignal);
      process.kill(process.pid, signal);
    };
    for (const s of signals) process.on(s, onSignal);
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const settle = (): void => {
      clearTimeout(timer);
      for (const s of signals) process.off(s, onSignal);
    };
    child.on('error', (error) => {
      settle();
      reject(error);
    });
    child.on('exit', () => killGroup());
    child.on('close', (code) => {
      settle();
      const text = options.hidePath ? output.split(options.hidePath).join('.') : output;
      const tail = text.trimEnd().split(/\r?\n/).slice(-30).join('\n');
      resolvePromise({ ...parseTestOutput(text), exitCode: timedOut ? null : code, timedOut, tail });
    });
  });
}
