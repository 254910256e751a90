import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Block } from '../event-loop/Block.js';
import { startBlockDetector, type BlockDetector, type BlockDetectorOptions } from '../event-loop/startBlockDetector.js';
import { formatBlock } from './formatBlock.js';

export interface BlockGuardOptions extends BlockDetectorOptions {
  /** `fail` (default): the test that blocked fails with the stack. `warn`: the stack is written to stderr and the test passes. */
  mode?: 'fail' | 'warn';
}

/** The guard's steps, separate from Vitest's hooks so they can be driven directly. */
export interface BlockGuard {
  start(): Promise<void>;
  /**
   * Marks the start of a test. Await it before the test runs: it first waits for blocks that
   * already ended to be reported, so a stall before the test (another test's, the runner's own
   * work on a loaded machine) is never blamed on it.
   */
  beginTest(): Promise<void>;
  /** Reports the blocks since {@link beginTest}: throws in `fail` mode, writes to stderr in `warn` mode. */
  endTest(testName: string): Promise<readonly Block[]>;
  stop(): Promise<void>;
}

/** Thrown by the guard in `fail` mode; its message holds every block's stack. */
export class EventLoopBlockedError extends Error {
  override readonly name = 'EventLoopBlockedError';
  constructor(
    message: string,
    readonly blocks: readonly Block[],
  ) {
    super(message);
  }
}

/** Builds a guard without registering hooks (see {@link installBlockGuard}). */
export function createBlockGuard(options: BlockGuardOptions = {}): BlockGuard {
  const { mode = 'fail', ...detectorOptions } = options;
  if (mode !== 'fail' && mode !== 'warn') throw new TypeError(`installBlockGuard(): options.mode must be 'fail' or 'warn', got ${String(mode)}`);
  const thresholdMs = detectorOptions.thresholdMs ?? 100;
  let detector: BlockDetector | undefined;
  let seen = 0;
  return {
    async start() {
      detector ??= await startBlockDetector({ ...detectorOptions, thresholdMs });
    },
    async beginTest() {
      await detector?.flush();
      seen = detector?.blocks.length ?? 0;
    },
    async endTest(testName) {
      if (detector === undefined) return [];
      await detector.flush();
      const blocks = detector.blocks.slice(seen);
      seen = detector.blocks.length;
      if (blocks.length === 0) return blocks;
      const message = `"${testName}" blocked the event loop for more than ${thresholdMs} ms:\n${blocks.map((b) => formatBlock(b)).join('\n')}`;
      if (mode === 'fail') throw new EventLoopBlockedError(message, blocks);
      process.stderr.write(`[asyncguard] ${message}\n`);
      return blocks;
    },
    async stop() {
      await detector?.stop();
      detector = undefined;
    },
  };
}

/**
 * Watches every test for event-loop blocks. Call it at the top level of a Vitest setup file:
 *
 * ```ts
 * // vitest.setup.ts  (test.setupFiles: ['./vitest.setup.ts'])
 * import { installBlockGuard } from '@asyncguard/testkit/vitest';
 * installBlockGuard({ thresholdMs: 100, mode: 'fail' });
 * ```
 * A test during which the loop stalled longer than `thresholdMs` (default 100) fails with the
 * blocking stack (`mode: 'fail'`), or passes with the stack written to stderr (`mode: 'warn'`).
 */
export function installBlockGuard(options: BlockGuardOptions = {}): void {
  const guard = createBlockGuard(options);
  beforeAll(() => guard.start());
  beforeEach(() => guard.beginTest());
  afterEach(async (context) => {
    await guard.endTest(context.task.name);
  });
  afterAll(() => guard.stop());
}
