import type { TimeoutToxic } from '../ToxicSpec.js';
import { Stage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Swallows all data; closes the connection `timeout` ms after it starts (never when 0). */
export class TimeoutStage extends Stage {
  #timer: NodeJS.Timeout | undefined;
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
  push(_item: Item): void {
    // Dropped: a blackhole. The peer's close is swallowed too, as the data is.
  }
  override drain(): void {
    this.dispose();
  }
  override dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
