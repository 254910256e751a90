import { CodemodInputError } from '../CodemodInputError.js';
import { ProjectCopy } from './ProjectCopy.js';
import { runTestCommand, type TestRun } from './runTestCommand.js';

export const DEFAULT_VERIFY_TIMEOUT_MS = 10 * 60 * 1000;

export interface VerifyOptions {
  /** The project's own test command, run through the shell in (a copy of) the project directory. */
  command: string;
  /** Time limit per run (default 10 minutes); the run's whole process group is killed at it. */
  timeoutMs?: number;
}

/** How a run differs from the baseline: empty when it does not regress. */
export interface Regression {
  /** Tests failing now that did not fail at baseline. */
  newFailures: string[];
  /** Why the run counts as a regression, in words. */
  why: string;
  /** The end of the output, for when no test names could be read. */
  tail: string;
}

/**
 * The behaviour gate: the project's own test command, run once before any edit (the baseline)
 * and then on copies of the project with edits applied. A run regresses when it times out, exits
 * non-zero where the baseline exited zero, or (when the baseline already failed) fails a test the
 * baseline passed or passes fewer tests.
 */
export class VerifyGate {
  runs = 0;
  private baselineRun: TestRun | undefined;

  private constructor(readonly command: string, readonly timeoutMs: number, private readonly copy: ProjectCopy) {}

  static async create(root: string, options: VerifyOptions): Promise<VerifyGate> {
    if (typeof options.command !== 'string' || options.command.trim() === '') throw new CodemodInputError('verify', 'needs the project\'s test command');
    const timeoutMs = options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CodemodInputError('verify', `timeout must be a positive number of milliseconds, got ${String(options.timeoutMs)}`);
    return new VerifyGate(options.command, timeoutMs, await ProjectCopy.create(root));
  }

  get baseline(): TestRun {
    if (this.baselineRun === undefined) throw new Error('VerifyGate: baseline() has not run');
    return this.baselineRun;
  }

  /** Runs the suite on the unedited project. A failing baseline is usable only when it names its failing tests. */
  async runBaseline(): Promise<TestRun> {
    const run = await this.run(new Map());
    if (run.timedOut) {
      throw new CodemodInputError('verify', `"${this.command}" did not finish within ${this.timeoutMs} ms before any edit (raise --verify-timeout)`);
    }
    if (run.exitCode !== 0 && run.failing.length === 0) {
      throw new CodemodInputError('verify', `"${this.command}" fails before any edit (exit ${String(run.exitCode)}) and its output names no failing test, ` +
        `so a regression could not be told apart; make the suite pass first. Output ends with:\n${run.tail}`);
    }
    this.baselineRun = run;
    return run;
  }

  /** Runs the suite with these file texts (absolute path → text) over the project. */
  async run(texts: ReadonlyMap<string, string>): Promise<TestRun> {
    const dir = await this.copy.prepare(texts);
    this.runs++;
    return runTestCommand(this.command, { cwd: dir, timeoutMs: this.timeoutMs, hidePath: dir });
  }

  regression(run: TestRun): Regression | undefined {
    const base = this.baseline;
    const known = new Set(base.failing);
    const newFailures = run.failing.filter((name) => !known.has(name));
    if (run.timedOut) return { newFailures, why: `timed out after ${this.timeoutMs} ms`, tail: run.tail };
    if (base.exitCode === 0 && run.exitCode !== 0) return { newFailures, why: `exit ${String(run.exitCode)} where the baseline exited 0`, tail: run.tail };
    if (newFailures.length > 0) return { newFailures, why: `${newFailures.length} test(s) fail that passed at baseline`, tail: run.tail };
    if (base.exitCode !== 0 && base.passing !== undefined && (run.passing ?? 0) < base.passing) {
      return { newFailures, why: `${run.passing ?? 0} test(s) pass where ${base.passing} passed at baseline`, tail: run.tail };
    }
    return undefined;
  }

  async dispose(): Promise<void> {
    await this.copy.dispose();
  }
}

/**
 * Finds the chains that make the suite regress by halving: a regressing set is split, each half
 * runs on its own, and the search recurses into every half that regresses. When neither half
 * regresses alone, the set's chains only fail together and are all blamed. `test` runs the suite
 * with a subset applied and returns the regression, if any.
 */
export async function bisect<T>(
  items: readonly T[], failure: Regression, test: (subset: readonly T[]) => Promise<Regression | undefined>,
): Promise<Map<T, Regression>> {
  const blamed = new Map<T, Regression>();
  const search = async (set: readonly T[], seen: Regression): Promise<void> => {
    if (set.length === 1) {
      blamed.set(set[0]!, seen);
      return;
    }
    const half = Math.ceil(set.length / 2);
    const parts = [set.slice(0, half), set.slice(half)];
    const results: Array<Regression | undefined> = [];
    for (const part of parts) results.push(await test(part));
    if (results.every((r) => r === undefined)) {
      for (const item of set) blamed.set(item, seen);
      return;
    }
    for (const [i, part] of parts.entries()) {
      const result = results[i];
      if (result !== undefined) await search(part, result);
    }
  };
  await search(items, failure);
  return blamed;
}
