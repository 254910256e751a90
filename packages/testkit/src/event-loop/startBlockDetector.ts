import inspector from 'node:inspector';
import { monitorEventLoop } from '@asyncguard/runtime';
import type { Block } from './Block.js';
import { assertKnownOptions } from '../assertKnownOptions.js';

export interface BlockDetectorOptions {
  /** A ping left unanswered this long (ms) is a block. Default 50. */
  thresholdMs?: number;
  /** How often (ms) the watchdog pings the main thread; also the resolution of `durationMs`. Default `min(10, thresholdMs / 4)`. */
  intervalMs?: number;
  /**
   * Pause the main thread to read its stack when it blocks (default true). Defaults to false
   * when the process was started with `--inspect`: a debugger's own pauses must not be resumed
   * by the watchdog.
   */
  captureStacks?: boolean;
  /** Frames kept per block, innermost first. Default 30. */
  maxFrames?: number;
}

export type BlockListener = (block: Block) => void;
export type BlockDetectorErrorListener = (error: Error) => void;

/** A running detector. */
export interface BlockDetector {
  /** Every block seen so far, oldest first. */
  readonly blocks: readonly Block[];
  /** Whether stacks are being captured (false when disabled or when the inspector was unavailable). */
  readonly capturingStacks: boolean;
  /** Calls `listener` for each block once the loop has recovered; returns a function that removes it. */
  on(event: 'block', listener: BlockListener): () => void;
  /** Calls `listener` if the watchdog fails; without an error listener the failure is written to stderr. */
  on(event: 'error', listener: BlockDetectorErrorListener): () => void;
  /** Waits until blocks that already ended are reported (their stack is read off-thread and mapped asynchronously). */
  flush(): Promise<void>;
  /** Stops the watchdog: the worker, its inspector session and the ping channel are gone when this resolves. Idempotent. */
  stop(): Promise<void>;
}

function positive(name: string, value: unknown, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`startBlockDetector(): options.${name} must be a positive ${integer ? 'integer' : 'number'} of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** Validates detector options and fills in defaults. */
export function resolveBlockDetectorOptions(options: BlockDetectorOptions = {}): Required<BlockDetectorOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('startBlockDetector(): options must be an object');
  assertKnownOptions('startBlockDetector()', options, ['thresholdMs', 'intervalMs', 'captureStacks', 'maxFrames']);
  const thresholdMs = positive('thresholdMs', options.thresholdMs, 50);
  const intervalMs = positive('intervalMs', options.intervalMs, Math.max(1, Math.min(10, thresholdMs / 4)));
  const maxFrames = positive('maxFrames', options.maxFrames, 30, true);
  if (options.captureStacks !== undefined && typeof options.captureStacks !== 'boolean') {
    throw new TypeError(`startBlockDetector(): options.captureStacks must be a boolean, got ${String(options.captureStacks)}`);
  }
  const captureStacks = options.captureStacks ?? inspector.url() === undefined;
  return { thresholdMs, intervalMs, captureStacks, maxFrames };
}

/**
 * Starts a watchdog thread that notices when this thread's event loop stops turning for more
 * than `thresholdMs` and records what JavaScript was running. Resolves once the watchdog is
 * armed. The worker and the ping channel are unref'd: a running detector never keeps the
 * process alive; call `stop()` to end it.
 *
 * Built on `@asyncguard/runtime`'s `monitorEventLoop` (the same watchdog a service runs in
 * production); the detector adds the list of every block and the listener API.
 */
export async function startBlockDetector(options?: BlockDetectorOptions): Promise<BlockDetector> {
  const resolved = resolveBlockDetectorOptions(options);
  const blocks: Block[] = [];
  const blockListeners = new Set<BlockListener>();
  const errorListeners = new Set<BlockDetectorErrorListener>();

  const monitor = await monitorEventLoop({
    ...resolved,
    keepRecent: 0,
    onBlock: (block) => {
      blocks.push(block);
      for (const listener of blockListeners) listener(block);
    },
    onError: (error) => {
      if (errorListeners.size === 0) process.stderr.write(`[asyncguard] block detector: ${error.message}\n`);
      for (const listener of errorListeners) listener(error);
    },
  });

  return {
    get blocks() {
      return blocks;
    },
    get capturingStacks() {
      return monitor.capturingStacks;
    },
    on(event: 'block' | 'error', listener: BlockListener | BlockDetectorErrorListener): () => void {
      if (event === 'block') {
        blockListeners.add(listener as BlockListener);
        return () => blockListeners.delete(listener as BlockListener);
      }
      if (event === 'error') {
        errorListeners.add(listener as BlockDetectorErrorListener);
        return () => errorListeners.delete(listener as BlockDetectorErrorListener);
      }
      throw new TypeError(`BlockDetector.on(): unknown event ${String(event)}; expected 'block' or 'error'`);
    },
    flush: () => monitor.flush(),
    stop: () => monitor.stop(),
  } as BlockDetector;
}
