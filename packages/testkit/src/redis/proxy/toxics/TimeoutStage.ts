import type { TimeoutToxic } from '../ToxicSpec.js';
import { END, Stage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Swallows all data; closes the connection `timeout` ms after it starts (never when 0). */
export class TimeoutStage extends Stage {
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: TimeoutToxic,
  ) {
    super(context, next);
  }
  override start(): void {
    if (this.toxic.timeout > 0) this.#timer = setTimeout(() => this.context.closeConnection('close'), this.toxic.timeout);
  }
  push(item: Item): void {
    // Data is dropped: a blackhole. The peer's close is held back, and let through on removal.
    if (item === END) this.#ended = true;
  }
  override drain(): void {
    this.dispose();
    if (this.#ended) this.next.push(END);
  }
  override dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
