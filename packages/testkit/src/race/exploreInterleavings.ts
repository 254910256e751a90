import type { Parameters as FcParameters, Scheduler } from 'fast-check';
import { assertKnownOptions } from '../assertKnownOptions.js';

export interface ExploreInterleavingsOptions {
  /** Interleavings to try. Default 200. */
  numRuns?: number;
  /** Replays a run: the seed (and `path`) printed by a failure. */
  seed?: number;
  path?: string;
  /** Report the first failing interleaving as found, without shrinking it. Default false. */
  endOnFailure?: boolean;
}

/** Thrown when an interleaving breaks the scenario; the message holds the smallest order found. */
export class InterleavingFailure extends Error {
  override readonly name = 'InterleavingFailure';
  constructor(
    message: string,
    readonly seed: number,
    readonly path: string | undefined,
    readonly order: readonly string[],
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

function describeOrder(scheduler: Scheduler): string[] {
  return scheduler.report().map((task) => {
    const label = task.label === '' ? `task #${task.taskId}` : task.label;
    if (task.status === 'pending') return `${label} (never released)`;
    return `${label} → ${task.status}${task.outputValue !== undefined ? ` ${task.outputValue}` : ''}`;
  });
}

/**
 * Runs `scenario` under many orderings of its scheduled promises — Redis replies through
 * {@link scheduleReplies}, the test's own steps through `s.schedule(...)` /
 * `s.scheduleFunction(...)` — and fails on the first ordering that breaks it, shrunk by
 * fast-check to the smallest failing interleaving. The scenario should release the scheduled
 * work itself (`await s.waitIdle()` or `s.waitFor(...)`) and throw when an invariant is broken.
 *
 * ```ts
 * await exploreInterleavings(async (s) => {
 *   const redis = scheduleReplies(createFaultyRedis(), s);
 *   const getClient = lazy(() => connect(redis));
 *   await s.waitFor(Promise.all([getClient(), s.schedule(Promise.resolve(), 'second request').then(getClient)]));
 *   expect(connects).toBe(1);
 * });
 * ```
 */
export async function exploreInterleavings(scenario: (scheduler: Scheduler) => unknown, options: ExploreInterleavingsOptions = {}): Promise<void> {
  if (typeof scenario !== 'function') throw new TypeError('exploreInterleavings(): scenario must be a function receiving the scheduler');
  if (typeof options !== 'object' || options === null) throw new TypeError('exploreInterleavings(): options must be an object');
  assertKnownOptions('exploreInterleavings()', options, ['numRuns', 'seed', 'path', 'endOnFailure']);
  const { numRuns = 200, seed, path, endOnFailure } = options;
  if (!Number.isInteger(numRuns) || numRuns < 1) throw new RangeError(`exploreInterleavings(): options.numRuns must be a positive integer, got ${String(numRuns)}`);
  // fast-check is an optional peer: loaded here so the testkit's main entry never requires it.
  const fc = await import('fast-check');
  const parameters: FcParameters<[Scheduler]> = { numRuns };
  if (seed !== undefined) parameters.seed = seed;
  if (path !== undefined) parameters.path = path;
  if (endOnFailure !== undefined) parameters.endOnFailure = endOnFailure;
  const details = await fc.check(
    fc.asyncProperty(fc.scheduler(), async (scheduler) => {
      await scenario(scheduler);
    }),
    parameters,
  );
  if (!details.failed) return;
  const counterexample = details.counterexample?.[0];
  const order = counterexample === undefined ? [] : describeOrder(counterexample);
  const cause = details.errorInstance;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = [
    `exploreInterleavings: an interleaving breaks the scenario (found after ${details.numRuns} run${details.numRuns === 1 ? '' : 's'}, shrunk ${details.numShrinks} time${details.numShrinks === 1 ? '' : 's'})`,
    `  ${reason.split('\n').join('\n  ')}`,
    'Order the scheduled tasks ran in:',
    ...order.map((line, i) => `  ${i + 1}. ${line}`),
    `Replay with { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)} }`,
  ].join('\n');
  throw new InterleavingFailure(message, details.seed, details.counterexamplePath ?? undefined, order, cause);
}
