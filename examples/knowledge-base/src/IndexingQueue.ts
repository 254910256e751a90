/** `POST /documents` when the indexing queue is full: a 429, with when to try again. */
export class IndexingQueueFullError extends Error {
  override readonly name = 'IndexingQueueFullError';
  readonly statusCode = 429;
  constructor(
    readonly capacity: number,
    /** Whole seconds until a place is likely free (the `Retry-After` header). */
    readonly retryAfterSeconds: number,
  ) {
    super(`the indexing queue is full (${capacity} jobs waiting); retry in ${retryAfterSeconds} s`);
  }
}

export interface IndexingQueueOptions {
  /** Jobs that may wait while others run; one more is refused with {@link IndexingQueueFullError}. */
  capacity: number;
  /** Jobs run at the same time. Default 1 (one indexing worker). */
  concurrency?: number;
}

interface Waiting {
  start: () => void;
  reject: (error: unknown) => void;
}

/**
 * A bounded queue of indexing jobs: at most `concurrency` run, at most `capacity` wait, and a job
 * beyond that is refused at once rather than piling up memory and latency (back-pressure). A
 * waiting job whose signal aborts (its request's deadline) leaves the queue.
 */
export class IndexingQueue {
  readonly capacity: number;
  readonly concurrency: number;
  private active = 0;
  private readonly waiting: Waiting[] = [];
  /** Smoothed duration of a job, ms (for `Retry-After`). */
  private jobMs = 1000;
  private closed = false;

  constructor(options: IndexingQueueOptions) {
    const { capacity, concurrency = 1 } = options;
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`IndexingQueue: capacity must be an integer >= 0, got ${String(capacity)}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`IndexingQueue: concurrency must be an integer >= 1, got ${String(concurrency)}`);
    this.capacity = capacity;
    this.concurrency = concurrency;
  }

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `job` when a place is free; rejects at once with {@link IndexingQueueFullError} when the queue is full. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error('IndexingQueue: closed');
    signal?.throwIfAborted();
    if (this.active < this.concurrency) {
      this.active++;
    } else {
      if (this.waiting.length >= this.capacity) throw new IndexingQueueFullError(this.capacity, this.retryAfterSeconds());
      await this.turn(signal); // the finishing job hands its place over: `active` stays counted
    }
    const started = performance.now();
    try {
      return await job();
    } finally {
      this.jobMs = 0.7 * this.jobMs + 0.3 * (performance.now() - started);
      const next = this.waiting.shift();
      if (next === undefined) this.active--;
      else next.start();
    }
  }

  /** Refuses new jobs and rejects the waiting ones; running jobs finish (or are stopped by their owner). */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('IndexingQueue: closed'));
  }

  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.waiting.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Until the running jobs and those ahead are likely done: at least 1 s. */
  private retryAfterSeconds(): number {
    const ahead = this.waiting.length + this.active;
    return Math.max(1, Math.ceil((ahead * this.jobMs) / this.concurrency / 1000));
  }
}
