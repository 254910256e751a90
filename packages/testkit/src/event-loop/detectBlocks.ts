import type { Block } from './Block.js';
import { startBlockDetector, type BlockDetectorOptions } from './startBlockDetector.js';

/**
 * Runs `fn` with a block detector watching and returns the blocks that happened while it ran
 * (including the time until its promise settled). `fn`'s rejection is rethrown after the
 * detector has stopped.
 *
 * ```ts
 * const blocks = await detectBlocks(() => handler(request), { thresholdMs: 20 });
 * // blocks[0]?.frames[0] → { functionName: 'hashPassword', file: '/src/auth.ts', line: 12, column: 5 }
 * ```
 */
export async function detectBlocks(fn: () => unknown, options?: BlockDetectorOptions): Promise<Block[]> {
  if (typeof fn !== 'function') throw new TypeError(`detectBlocks(): fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  const detector = await startBlockDetector(options);
  try {
    await fn();
    await detector.flush();
    return [...detector.blocks];
  } finally {
    await detector.stop();
  }
}
