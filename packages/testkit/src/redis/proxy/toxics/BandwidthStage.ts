import type { BandwidthToxic } from '../ToxicSpec.js';
import { END, TimedStage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Piece size so a big chunk trickles out instead of arriving in one late burst (~20 ms of data). */
const SLICE_MS = 20;

/** Lets at most `rate` KB/s through (1 KB = 1000 bytes, as in Toxiproxy). */
export class BandwidthStage extends TimedStage {
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: BandwidthToxic,
  ) {
    super(context, next);
  }
  push(item: Item): void {
    if (item === END) {
      this.schedule(item, this.lastRelease);
      return;
    }
    const bytesPerMs = this.toxic.rate; // KB/s == bytes/ms
    const piece = Math.max(1, Math.floor(bytesPerMs * SLICE_MS));
    for (let offset = 0; offset < item.length; offset += piece) {
      const slice = item.subarray(offset, offset + piece);
      this.schedule(slice, this.lastRelease + slice.length / bytesPerMs);
    }
  }
}
