import inspector from 'node:inspector';
import { MessageChannel, Worker } from 'node:worker_threads';
import { assertBudget } from '../budgets.js';
import { realClearTimeout, realImmediate, realNow, realSetTimeout } from '../internal/realClock.js';
import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';
import type { Logger } from '../Logger.js';
import type { MeterLike } from '../redis/RedisManagerOptions.js';
import type { BlockFrame, EventLoopBlock } from './EventLoopBlock.js';
import { mapFrames } from './mapFrames.js';
import { watchdogWorkerSource, type WatchdogCommand, type WatchdogData, type WatchdogMessage } from './watchdogWorker.js';

/** The part of an OpenTelemetry `Meter` the monitor uses: `metrics.getMeter('my-service')` fits. */
export type HistogramMeter = Pick<MeterLike, 'createHistogram'>;

export interface EventLoopMonitorOptions {
  /** The loop not turning for longer than this (ms) is a block. Required: what counts as a stall is the service's call. */
  thresholdMs: number;
  /** Called with each block once the loop has turned again and its frames are mapped. */
  onBlock?: (block: EventLoopBlock) => void;
  /**
   * An OpenTelemetry meter: each block is recorded in the histogram
   * {@link EVENT_LOOP_BLOCK_METRIC} (seconds), with the blocking frame as `code.*` attributes.
   */
  meter?: HistogramMeter;
  /** Each block is logged at `warn` (pino-style: fields, then message); watchdog failures at `error`. */
  logger?: Logger;
  /** How often (ms) the watchdog pings the loop; also the resolution of `durationMs`. Default `min(10, thresholdMs / 4)`. */
  intervalMs?: number;
  /**
   * Pause the main thread through the inspector to read its stack when it blocks (default true;
   * false when the process runs with `--inspect`, so a debugger's own pauses are left alone).
   */
  captureStacks?: boolean;
  /** Frames kept per block, innermost first. Default 30. */
  maxFrames?: number;
  /** How many of the latest blocks `monitor.recent` keeps. Default 10; 0 keeps none. */
  keepRecent?: number;
  /** Called if the watchdog fails. Default: `logger.error`, or `process.emitWarning` without a logger. */
  onError?: (error: Error) => void;
}

/** A running monitor. `await using monitor = await monitorEventLoop(…)` stops it at the end of the scope. */
export interface EventLoopMonitor extends AsyncDisposable {
  readonly thresholdMs: number;
  /** Whether stacks are being captured (false when disabled or when the inspector is unavailable). */
  readonly capturingStacks: boolean;
  /** Blocks seen since the monitor started. */
  readonly blockCount: number;
  /** The latest blocks (at most `keepRecent`), oldest first. */
  readonly recent: readonly EventLoopBlock[];
  /** Resolves once blocks that already ended have been reported (their frames are mapped asynchronously). */
  flush(): Promise<void>;
  /** Stops the watchdog: its thread, inspector session and ping channel are gone when this resolves. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The block histogram's name. OpenTelemetry's semantic conventions have no event-loop *block*
 * metric (their `nodejs.eventloop.delay.*` are gauges over a delay sampler, another measure), so
 * it sits in asyncguard's namespace, shaped like the conventions' durations
 * (`db.client.operation.duration`, `http.server.request.duration`): `<namespace>.<thing>.duration`,
 * unit `s`, one value per block.
 */
export const EVENT_LOOP_BLOCK_METRIC = 'asyncguard.eventloop.block.duration';

const BUCKETS_S = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const KEYS: OptionKeys<EventLoopMonitorOptions> = {
  thresholdMs: true,
  onBlock: true,
  meter: true,
  logger: true,
  intervalMs: true,
  captureStacks: true,
  maxFrames: true,
  keepRecent: true,
  onError: true,
};

const OWNER = 'monitorEventLoop';

interface Resolved {
  thresholdMs: number;
  intervalMs: number;
  captureStacks: boolean;
  maxFrames: number;
  keepRecent: number;
}

function positiveMs(value: unknown, name: string): number {
  const ms = assertBudget(value, `${OWNER}: options.${name}`);
  if (ms === 0) throw new RangeError(`${OWNER}: options.${name} must be more than 0 ms, got 0`);
  return ms;
}

function integer(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${OWNER}: options.${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${OWNER}: options.${name} must be a function, got ${value === null ? 'null' : typeof value}`);
}

function resolveOptions(options: EventLoopMonitorOptions): Resolved {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${OWNER}: options must be an object with thresholdMs`);
  rejectUnknownKeys(options, KEYS, OWNER);
  if (options.thresholdMs === undefined) throw new TypeError(`${OWNER}: options.thresholdMs is required (ms the loop may stay busy before it counts as blocked)`);
  const thresholdMs = positiveMs(options.thresholdMs, 'thresholdMs');
  const intervalMs = options.intervalMs === undefined ? Math.max(1, Math.min(10, thresholdMs / 4)) : positiveMs(options.intervalMs, 'intervalMs');
  if (options.captureStacks !== undefined && typeof options.captureStacks !== 'boolean') {
    throw new TypeError(`${OWNER}: options.captureStacks must be a boolean, got ${typeof options.captureStacks}`);
  }
  optionalFunction(options.onBlock, 'onBlock');
  optionalFunction(options.onError, 'onError');
  const { logger, meter } = options;
  if (logger !== undefined && (logger === null || (['debug', 'info', 'warn', 'error'] as const).some((l) => typeof logger[l] !== 'function'))) {
    throw new TypeError(`${OWNER}: options.logger must have debug, info, warn and error methods (pino-style: (fields, message))`);
  }
  if (meter !== undefined && (meter === null || typeof meter.createHistogram !== 'function')) {
    throw new TypeError(`${OWNER}: options.meter must be an OpenTelemetry Meter (createHistogram)`);
  }
  return {
    thresholdMs,
    intervalMs,
    captureStacks: options.captureStacks ?? inspector.url() === undefined,
    maxFrames: integer(options.maxFrames, 'maxFrames', 1, 30),
    keepRecent: integer(options.keepRecent, 'keepRecent', 0, 10),
  };
}

/**
 * The frame that names a block: the innermost one outside Node's own modules (`readFileSync`'s
 * caller rather than `node:fs`), or the innermost of all; undefined when no stack was captured.
 */
export function blockingFrame(block: Pick<EventLoopBlock, 'frames'>): BlockFrame | undefined {
  return block.frames.find((f) => f.file !== '' && !f.file.startsWith('node:')) ?? block.frames[0];
}

/** `name (file:line:column)`. */
export function formatBlockFrame(frame: BlockFrame): string {
  return `${frame.functionName} (${frame.file}:${frame.line}:${frame.column})`;
}

/**
 * Watches this thread's event loop from a watchdog thread and reports every period in which it
 * did not turn for more than `thresholdMs`: how long, and which JavaScript was running (read
 * through the inspector while the loop is still stuck, source-mapped to the original files).
 * Nothing of it runs until called. Resolves once the watchdog is armed. Its thread and ping
 * channel are unref'd, so it never keeps the process alive; `stop()` ends them.
 *
 * ```ts
 * const monitor = await monitorEventLoop({ thresholdMs: 100, logger, meter: metrics.getMeter('kb') });
 * // …
 * await monitor.stop();
 * ```
 */
export async function monitorEventLoop(options: EventLoopMonitorOptions): Promise<EventLoopMonitor> {
  const resolved = resolveOptions(options);
  const { onBlock, onError, logger } = options;
  const histogram = options.meter?.createHistogram(EVENT_LOOP_BLOCK_METRIC, {
    description: 'How long the event loop stayed blocked, one value per block longer than the monitor threshold',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS_S },
  });

  const shared = new SharedArrayBuffer(16);
  const answeredAt = new Float64Array(shared, 0, 1);
  const answeredSeq = new Int32Array(shared, 8, 1);
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (seq: number) => {
    answeredAt[0] = realNow();
    Atomics.store(answeredSeq, 0, seq);
  });
  port1.unref();

  const data: WatchdogData = {
    shared,
    pingPort: port2,
    thresholdMs: resolved.thresholdMs,
    intervalMs: resolved.intervalMs,
    captureStacks: resolved.captureStacks,
    maxFrames: resolved.maxFrames,
  };
  const worker = new Worker(watchdogWorkerSource(), {
    eval: true,
    workerData: data,
    transferList: [port2],
    name: 'asyncguard-block-watchdog',
    stdout: false,
    stderr: false,
  });
  // The worker is ref'd only while someone awaits it (start, flush, stop): a running monitor
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

  const recent: EventLoopBlock[] = [];
  let blockCount = 0;
  const flushes = new Map<number, () => void>();
  let nextFlush = 0;
  let capturing = false;
  let exited = false;
  let stopped: Promise<void> | undefined;
  let pending: Promise<void> = Promise.resolve(); // keeps block reports in order while frames are mapped

  const fail = (error: Error): void => {
    try {
      if (onError !== undefined) onError(error);
      else if (logger !== undefined) logger.error({ err: error }, `event-loop monitor: ${error.message}`);
      else process.emitWarning(error.message, { code: 'ASYNCGUARD_EVENT_LOOP_MONITOR' });
    } catch {
      // A throwing error handler must not take the monitor down with it.
    }
  };

  const report = (block: EventLoopBlock): void => {
    blockCount++;
    if (resolved.keepRecent > 0) {
      recent.push(block);
      if (recent.length > resolved.keepRecent) recent.shift();
    }
    const top = blockingFrame(block);
    if (histogram !== undefined) {
      try {
        histogram.record(
          block.durationMs / 1000,
          top === undefined ? {} : { 'code.function.name': top.functionName, 'code.file.path': top.file, 'code.line.number': top.line },
        );
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (logger !== undefined) {
      const where = top === undefined ? 'no stack captured' : `in ${formatBlockFrame(top)}`;
      try {
        logger.warn(
          {
            event: 'eventloop.block',
            durationMs: Math.round(block.durationMs),
            thresholdMs: resolved.thresholdMs,
            startedAt: new Date(block.startedAt).toISOString(),
            frames: block.frames.map(formatBlockFrame),
          },
          `event loop blocked for ${Math.round(block.durationMs)} ms (threshold ${resolved.thresholdMs} ms), ${where}`,
        );
      } catch {
        // A broken logger must not break the monitor.
      }
    }
    if (onBlock !== undefined) {
      try {
        onBlock(block);
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    }
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
            report({
              durationMs: message.durationMs,
              frames,
              startedAt: message.startedAt,
              detectedAfterMs: message.detectedAfterMs,
              capturedAfterMs: message.capturedAfterMs,
            });
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

  const stop = (): Promise<void> => {
    stopped ??= hold(
      (async () => {
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
      })(),
    );
    return stopped;
  };

  return {
    thresholdMs: resolved.thresholdMs,
    get capturingStacks() {
      return capturing;
    },
    get blockCount() {
      return blockCount;
    },
    get recent() {
      return recent.slice();
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
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
