import type { SlicerToxic } from '../ToxicSpec.js';
import { END, TimedStage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Cuts data into slices of `averageSize` ± `sizeVariation` bytes, `delay` µs apart. */
export class SlicerStage extends TimedStage {
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: SlicerToxic,
  ) {
    super(context, next);
  }
  push(item: Item): void {
    if (item === END) {
      this.schedule(item, this.lastRelease);
      return;
    }
    const gapMs = (this.toxic.delay ?? 0) / 1000;
    const variation = this.toxic.sizeVariation ?? 0;
    let at = this.lastRelease;
    for (let offset = 0; offset < item.length; ) {
      const size = Math.max(1, this.toxic.averageSize + Math.round((this.context.random() * 2 - 1) * variation));
      this.schedule(item.subarray(offset, offset + size), at);
      offset += size;
      at += gapMs;
    }
  }
}
