import type { RandomSource } from '../../faults/seededRandom.js';

/** End of stream (the sender's FIN), passed along the chain after the data before it. */
export const END: unique symbol = Symbol('end of stream');
export type Item = Buffer | typeof END;

/** Anything that takes items: a stage or the socket at the end of the chain. */
export interface Receiver {
  push(item: Item): void;
}

/** What a stage may do to its connection. */
export interface StageContext {
  /** Ends the whole connection: `close` sends FIN after pending writes, `reset` sends RST. */
  closeConnection(mode: 'close' | 'reset'): void;
  /** This stage's own seeded random stream. */
  readonly random: RandomSource;
}

/**
 * One link in a direction's chain. Stages keep the order of what they are given; `drain()` hands
 * everything held to `next` at once (the toxic is being removed), `dispose()` drops it (the
 * connection is gone). Neither may leave a timer behind.
 */
export abstract class Stage implements Receiver {
  next: Receiver;
  constructor(
    protected readonly context: StageContext,
    next: Receiver,
  ) {
    this.next = next;
  }
  abstract push(item: Item): void;
  /** Called once when the stage is put on a live connection. */
  start(): void {}
  drain(): void {}
  dispose(): void {}
}

/** A stage that releases each item at a time of its own choosing, in order. */
export abstract class TimedStage extends Stage {
  readonly #queue: { at: number; item: Item }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #last = 0;

  /** Queues `item` for release at `at` (performance.now() ms), never before the previous one. */
  protected schedule(item: Item, at: number): void {
    const when = Math.max(at, this.#last);
    this.#last = when;
    if (this.#queue.length === 0 && when <= performance.now()) {
      this.next.push(item);
      return;
    }
    this.#queue.push({ at: when, item });
    if (this.#queue.length === 1) this.#arm();
  }

  /** When the last queued item will be released (or now). */
  protected get lastRelease(): number {
    return Math.max(this.#last, performance.now());
  }

  #arm(): void {
    const head = this.#queue[0];
    if (head === undefined) return;
    this.#timer = setTimeout(() => this.#release(), Math.max(0, head.at - performance.now()));
  }

  #release(): void {
    this.#timer = undefined;
    const now = performance.now() + 0.5; // timers may fire a fraction of a ms early
    while (this.#queue.length > 0 && (this.#queue[0] as { at: number }).at <= now) {
      this.next.push((this.#queue.shift() as { item: Item }).item);
    }
    this.#arm();
  }

  override drain(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const { item } of this.#queue.splice(0)) this.next.push(item);
  }

  override dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
  }
}
