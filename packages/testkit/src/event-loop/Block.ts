import type { BlockFrame as RuntimeBlockFrame, EventLoopBlock } from '@asyncguard/runtime';

/** One JavaScript frame of the main thread's stack while the event loop was blocked (the runtime's `BlockFrame`). */
export type BlockFrame = RuntimeBlockFrame;

/**
 * One period in which the main thread's event loop did not turn for longer than the threshold:
 * the runtime's `EventLoopBlock`, which the detector is built on (`monitorEventLoop`).
 */
export type Block = EventLoopBlock;
