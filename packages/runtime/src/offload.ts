import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { assertBudget } from './budgets.js';
import { TimeoutError } from './errors/TimeoutError.js';
import { isAbortSignal } from './internal/CallScope.js';
import { type AmbientDeadline, deadlinePassed, liveDeadline, scheduleWithin } from './internal/AmbientDeadline.js';
import { cancelDeadline, type DeadlineEntry, type DeadlineList } from './internal/DeadlineQueue.js';
import { type OptionKeys, rejectUnknownKeys } from './internal/rejectUnknownKeys.js';

/** An exported function of a module, run in the worker: `{ module: new URL('./hash.js', import.meta.url) }`. */
export interface OffloadModule {
  /** Absolute path, `file:` URL string or URL of the module (a URL object is read once and cached: don't mutate it). */
  module: string | URL;
  /** Export to call. Default `'default'`. */
  export?: string;
}

/**
 * What to run: a self-contained function (its source is sent to the worker, so it must not
 * use variables from its surrounding scope; reach built-ins with `process.getBuiltinModule()`
 * and packages with `await import()`), or a module export — the robust choice when a bundler
 * or test runner rewrites your functions.
 */
export type OffloadTarget<A extends unknown[], R> = ((...args: A) => R | PromiseLike<R>) | OffloadModule;

export interface OffloadOptions {
  /** Budget, ms. At the deadline the worker running the task is terminated (and replaced). */
  timeout?: number;
  /** Aborting terminates the worker running the task, or drops it from the queue. */
  signal?: AbortSignal;
  /** Names the operation in a `TimeoutError`. */
  operation?: string;
}

export interface OffloadPoolOptions {
  /** Workers kept alive. Default 1. */
  minThreads?: number;
  /** Default: available parallelism − 1 (at least 1). */
  maxThreads?: number;
  /** An idle worker above `minThreads` exits after this, ms. Default 30 000. */
  idleTimeoutMs?: number;
  /** Tasks that may wait for a worker; beyond that `run` rejects. Default `maxThreads²`. */
  maxQueue?: number;
}

const OPTION_KEYS: OptionKeys<OffloadOptions> = { timeout: true, signal: true, operation: true };
const POOL_OPTION_KEYS: OptionKeys<OffloadPoolOptions> = { minThreads: true, maxThreads: true, idleTimeoutMs: true, maxQueue: true };

interface Task {
  source?: string;
  module?: string;
  exportName?: string;
  args: unknown[];
}

const WORKER_URL = new URL('../worker/offload-worker.mjs', import.meta.url).href;

/**
 * A pool of worker threads for CPU-heavy or blocking synchronous work, so the event loop
 * stays free — the Node counterpart of Python's `asyncio.to_thread`. Unlike a Python thread,
 * a worker can be stopped: a timeout or abort terminates the worker running the task and the
 * pool starts a fresh one.
 */
export class OffloadPool {
  private readonly pool: Piscina;
  private readonly sources = new WeakMap<object, string>();
  private readonly urlHrefs = new WeakMap<URL, string>();
  private readonly pathHrefs = new Map<string, string>();
  private closed = false;

  constructor(options: OffloadPoolOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('OffloadPool: options must be an object');
    rejectUnknownKeys(options, POOL_OPTION_KEYS, 'OffloadPool');
    const minThreads = count(options.minThreads ?? 1, 'minThreads', 0);
    const maxThreads = count(options.maxThreads ?? Math.max(1, availableParallelism() - 1, minThreads), 'maxThreads', 1);
    if (maxThreads < minThreads) throw new RangeError(`OffloadPool: options.maxThreads (${maxThreads}) must not be less than options.minThreads (${minThreads})`);
    const idleTimeout = assertBudget(options.idleTimeoutMs ?? 30_000, 'OffloadPool: options.idleTimeoutMs');
    const maxQueue = options.maxQueue === undefined ? maxThreads ** 2 : count(options.maxQueue, 'maxQueue', 0);
    this.pool = new Piscina({ filename: WORKER_URL, minThreads, maxThreads, idleTimeout, maxQueue });
  }

  /** Workers currently alive. */
  get threads(): number {
    return this.pool.threads.length;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.pool.queueSize;
  }

  run<A extends unknown[], R>(target: OffloadTarget<A, R>, args: A, options?: OffloadOptions): Promise<R> {
    if (this.closed) return Promise.reject(new Error('OffloadPool: the pool is closed'));
    const task = this.task(target, args);
    const ambient = liveDeadline();
    if (options === undefined && ambient === undefined) return this.pool.run(task) as Promise<R>;
    const { timeout, signal, operation } = options === undefined ? ({} as OffloadOptions) : checkOptions(options);
    if (timeout === undefined && signal === undefined && ambient === undefined) return this.pool.run(task) as Promise<R>;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (ambient !== undefined && deadlinePassed(ambient, performance.now())) {
      return Promise.reject(ambient.timeoutFor(operation ?? 'offload', timeout ?? 0, 0, 'not-sent'));
    }
    return new Promise<R>((resolve, reject) => {
      const call = new OffloadCall(resolve as (value: unknown) => void, reject, timeout, operation, signal, ambient);
      this.pool.run(task, { signal: call }).then(
        (value) => call.succeed(value),
        (error: unknown) => call.fail(error),
      );
    });
  }

  /** Waits for running tasks, then stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }

  /** Stops the workers now; running and queued tasks reject. */
  async destroy(): Promise<void> {
    this.closed = true;
    await this.pool.destroy();
  }

  /** The module's `file:` URL; cached, as `URL#href` and `pathToFileURL` are not free per call. */
  private href(module: string | URL): string {
    if (module instanceof URL) {
      let href = this.urlHrefs.get(module);
      if (href === undefined) this.urlHrefs.set(module, (href = module.href));
      return href;
    }
    if (module.startsWith('file:')) return module;
    let href = this.pathHrefs.get(module);
    if (href === undefined) {
      if (this.pathHrefs.size >= 256) this.pathHrefs.clear();
      this.pathHrefs.set(module, (href = pathToFileURL(module).href));
    }
    return href;
  }

  private task<A extends unknown[], R>(target: OffloadTarget<A, R>, args: A): Task {
    if (!Array.isArray(args)) throw new TypeError('offload: args must be an array');
    if (typeof target === 'function') {
      let source = this.sources.get(target);
      if (source === undefined) {
        source = Function.prototype.toString.call(target);
        if (source.endsWith('{ [native code] }')) throw new TypeError('offload: cannot send a native or bound function to a worker');
        this.sources.set(target, source);
      }
      return { source, args };
    }
    if (typeof target !== 'object' || target === null || (typeof target.module !== 'string' && !(target.module instanceof URL))) {
      throw new TypeError('offload: target must be a function or { module, export? }');
    }
    const module = this.href(target.module);
    const exportName = target.export ?? 'default';
    if (typeof exportName !== 'string') throw new TypeError('offload: target.export must be a string');
    return { module, exportName, args };
  }
}

function checkOptions(options: OffloadOptions): OffloadOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('offload: options must be an object');
  rejectUnknownKeys(options, OPTION_KEYS, 'offload');
  if (options.operation !== undefined && typeof options.operation !== 'string') throw new TypeError('offload: options.operation must be a string');
  if (options.timeout !== undefined) assertBudget(options.timeout, 'offload: options.timeout');
  if (options.signal !== undefined && !isAbortSignal(options.signal)) throw new TypeError('offload: options.signal must be an AbortSignal');
  return options;
}

type AbortListener = () => void;

/**
 * One task with a deadline and/or a caller's signal. It is also the abort signal handed to
 * piscina (which only needs `aborted` and `add/removeEventListener`), so no AbortController
 * is made; aborting it makes piscina terminate the worker running the task.
 */
class OffloadCall implements DeadlineEntry {
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineList | null = null;
  dlAt = 0;
  aborted = false;
  reason: unknown = undefined;
  private listener: AbortListener | undefined = undefined;
  private done = false;
  private readonly start = performance.now();
  private readonly onOuterAbort: (() => void) | undefined = undefined;
  /** The ambient deadline that bounds the task instead of its own timeout. */
  private readonly inherited: AmbientDeadline | undefined;

  constructor(
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
    private readonly budgetMs: number | undefined,
    private readonly operation: string | undefined,
    private readonly outer: AbortSignal | undefined,
    ambient: AmbientDeadline | undefined,
  ) {
    this.inherited = scheduleWithin(this, budgetMs, this.start, ambient);
    if (outer !== undefined) {
      this.onOuterAbort = () => this.giveUp(outer.reason);
      outer.addEventListener('abort', this.onOuterAbort, { once: true });
    }
  }

  addEventListener(_type: 'abort', listener: AbortListener): void {
    this.listener = listener;
  }

  removeEventListener(_type: 'abort', listener: AbortListener): void {
    if (this.listener === listener) this.listener = undefined;
  }

  expire(now: number): void {
    const operation = this.operation ?? 'offload';
    const inherited = this.inherited;
    this.giveUp(
      inherited === undefined
        ? new TimeoutError({ operation, budgetMs: this.budgetMs ?? 0, elapsedMs: now - this.start })
        : inherited.timeoutFor(operation, this.budgetMs ?? inherited.at - this.start, now - this.start, undefined),
    );
  }

  succeed(value: unknown): void {
    if (this.finish()) this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  private giveUp(reason: unknown): void {
    if (!this.finish()) return;
    this.aborted = true;
    this.reason = reason;
    this.reject(reason);
    const listener = this.listener;
    this.listener = undefined;
    listener?.(); // piscina terminates the worker (or dequeues the task)
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    cancelDeadline(this);
    if (this.onOuterAbort !== undefined) this.outer?.removeEventListener('abort', this.onOuterAbort);
    return true;
  }
}

function count(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`OffloadPool: options.${what} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

let defaultPool: OffloadPool | undefined;

/**
 * Runs `target(...args)` on a worker thread of the shared pool and returns its result.
 *
 * ```ts
 * const digest = await offload(
 *   (text: string) => process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('hex'),
 *   [text],
 *   { timeout: 2000 },
 * );
 * const parsed = await offload({ module: new URL('./parse.js', import.meta.url), export: 'parse' }, [buffer], { timeout: 5000 });
 * ```
 *
 * A `timeout` or an aborted `signal` terminates the worker that runs the task (the pool
 * replaces it) and rejects with a `TimeoutError` or the signal's reason. Inside `withDeadline`
 * the ambient deadline bounds the task too, and terminates it the same way.
 */
export function offload<A extends unknown[], R>(target: OffloadTarget<A, R>, args: A, options?: OffloadOptions): Promise<R> {
  defaultPool ??= new OffloadPool();
  return defaultPool.run(target, args, options);
}

/** Closes the shared pool behind `offload()` (e.g. at shutdown or after tests); the next `offload()` starts a new one. */
export async function closeOffloadPool(): Promise<void> {
  const pool = defaultPool;
  defaultPool = undefined;
  await pool?.destroy();
}
