import type { SlowCloseToxic } from '../ToxicSpec.js';
import { END, TimedStage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Passes data at once; the close (FIN) follows `delay` ms later. */
export class SlowCloseStage extends TimedStage {
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: SlowCloseToxic,
  ) {
    super(context, next);
  }
  push(item: Item): void {
    this.schedule(item, item === END ? performance.now() + this.toxic.delay : performance.now());
  }
}
