import type { LatencyToxic } from '../ToxicSpec.js';
import { TimedStage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Delays each chunk (and the close) by `latency` ± `jitter` ms, keeping order. */
export class LatencyStage extends TimedStage {
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: LatencyToxic,
  ) {
    super(context, next);
  }
  push(item: Item): void {
    const jitter = this.toxic.jitter ?? 0;
    const delay = Math.max(0, this.toxic.latency + (jitter === 0 ? 0 : (this.context.random() * 2 - 1) * jitter));
    this.schedule(item, performance.now() + delay);
  }
}
