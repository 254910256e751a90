import inspector from 'node:inspector';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Block } from './Block.js';
import { realClearTimeout, realImmediate, realNow, realSetTimeout } from '../timers/realTimers.js';
import { mapFrames } from './mapFrames.js';
import { watchdogWorkerSource, type WatchdogCommand, type WatchdogData, type WatchdogMessage } from './watchdogWorker.js';
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
 */
export async function startBlockDetector(options?: BlockDetectorOptions): Promise<BlockDetector> {
  const resolved = resolveBlockDetectorOptions(options);
  const shared = new SharedArrayBuffer(16);
  const answeredAt = new Float64Array(shared, 0, 1);
  const answeredSeq = new Int32Array(shared, 8, 1);
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (seq: number) => {
    answeredAt[0] = realNow();
    Atomics.store(answeredSeq, 0, seq);
  });
  port1.unref();

  const data: WatchdogData = { shared, pingPort: port2, ...resolved };
  const worker = new Worker(watchdogWorkerSource(), {
    eval: true,
    workerData: data,
    transferList: [port2],
    name: 'asyncguard-block-watchdog',
    stdout: false,
    stderr: false,
  });
  // The worker is ref'd only while someone awaits it (start, flush, stop): a running detector
  // must never keep the process alive on its own.
  let waiting = 0;
  const hold = async <T>(work: Promise<T>): Promise<T> => {
    if (waiting++ === 0) worker.ref();
    try {
      return await work;
    } finally {
      if (--waiting === 0) worker.unref();
    }
  };

  const blocks: Block[] = [];
  const blockListeners = new Set<BlockListener>();
  const errorListeners = new Set<BlockDetectorErrorListener>();
  const flushes = new Map<number, () => void>();
  let nextFlush = 0;
  let capturing = false;
  let exited = false;
  let stopped: Promise<void> | undefined;
  let pending: Promise<void> = Promise.resolve(); // keeps block reports in order while frames are mapped

  const fail = (error: Error): void => {
    if (errorListeners.size === 0) process.stderr.write(`[asyncguard] block detector: ${error.message}\n`);
    for (const listener of errorListeners) listener(error);
  };

  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
    port1.close();
    for (const resolve of flushes.values()) resolve();
    flushes.clear();
  });

  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: WatchdogMessage) => {
      switch (message.type) {
        case 'ready':
          capturing = message.capturing;
          if (message.problem !== undefined && resolved.captureStacks) fail(new Error(message.problem));
          resolve();
          break;
        case 'block':
          pending = pending.then(async () => {
            const frames = await mapFrames(message.frames).catch(() => []);
            const block: Block = {
              durationMs: message.durationMs,
              frames,
              startedAt: message.startedAt,
              detectedAfterMs: message.detectedAfterMs,
              capturedAfterMs: message.capturedAfterMs,
            };
            blocks.push(block);
            for (const listener of blockListeners) listener(block);
          });
          break;
        case 'flushed': {
          const done = flushes.get(message.id);
          flushes.delete(message.id);
          if (done !== undefined) void pending.then(done);
          break;
        }
        case 'stopped':
          // The worker has disconnected its inspector session. Running this handler means the
          // main thread has serviced its interrupts, the session removal included; one more turn
          // for good measure, then the worker may exit.
          void realImmediate().then(() => worker.postMessage({ type: 'exit' } satisfies WatchdogCommand));
          break;
      }
    });
  });
  worker.on('error', (err) => fail(err));
  try {
    await hold(ready);
  } catch (err) {
    await worker.terminate();
    port1.close();
    throw err;
  }

  const send = (command: WatchdogCommand): void => worker.postMessage(command);

  return {
    get blocks() {
      return blocks;
    },
    get capturingStacks() {
      return capturing;
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
    flush() {
      if (exited || stopped !== undefined) return pending;
      const id = nextFlush++;
      return hold(
        new Promise<void>((resolve) => {
          flushes.set(id, resolve);
          send({ type: 'flush', id });
        }),
      );
    },
    stop() {
      stopped ??= hold((async () => {
        if (!exited) {
          send({ type: 'stop' });
          // The worker closes its session and ports, then ends; terminate() if it does not.
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<'timeout'>((resolve) => {
            timer = realSetTimeout(() => resolve('timeout'), 1000);
          });
          const outcome = await Promise.race([exit, timeout]);
          realClearTimeout(timer);
          if (outcome === 'timeout') await worker.terminate();
          await exit;
        }
        await pending;
      })());
      return stopped;
    },
  } as BlockDetector;
}
