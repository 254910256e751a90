import type { MatcherState } from 'vitest';
import { detectBlocks } from '../event-loop/detectBlocks.js';
import type { BlockDetectorOptions } from '../event-loop/startBlockDetector.js';
import { failureMessage } from './failureMessage.js';
import { formatBlock } from './formatBlock.js';

export interface ToBlockEventLoopOptions extends Omit<BlockDetectorOptions, 'thresholdMs'> {
  /** The longest acceptable stall of the event loop, in ms. Default 50. */
  maxMs?: number;
}

/**
 * `await expect(fn).not.toBlockEventLoop({ maxMs })`: runs `fn` under a block detector and
 * passes (for `.not`) when the event loop never stalled longer than `maxMs`; the failure message
 * shows each block's duration and the JavaScript stack that held the loop.
 */
export async function toBlockEventLoop(this: MatcherState, received: unknown, options: ToBlockEventLoopOptions = {}) {
  if (typeof received !== 'function') {
    throw new TypeError(`toBlockEventLoop: expect() needs the function to run, got ${received === null ? 'null' : typeof received}`);
  }
  const { maxMs = 50, ...detector } = options;
  if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || maxMs <= 0) {
    throw new RangeError(`toBlockEventLoop: options.maxMs must be a positive number of milliseconds, got ${String(maxMs)}`);
  }
  const blocks = await detectBlocks(received as () => unknown, { ...detector, thresholdMs: maxMs });
  const pass = blocks.length > 0;
  return {
    pass,
    message: () =>
      failureMessage(
        this,
        'toBlockEventLoop',
        { received: 'fn', expected: 'options' },
        pass
          ? `expected the function not to block the event loop for more than ${maxMs} ms, but it blocked it ${blocks.length === 1 ? 'once' : `${blocks.length} times`}:\n${blocks.map((b) => formatBlock(b)).join('\n')}`
          : `expected the function to block the event loop for more than ${maxMs} ms, but the loop kept turning`,
        { expected: `a stall longer than ${maxMs} ms`, received: blocks.length === 0 ? 'no stall' : blocks.map((b) => `blocked for ${Math.round(b.durationMs)} ms`) },
      ),
    actual: blocks,
  };
}
