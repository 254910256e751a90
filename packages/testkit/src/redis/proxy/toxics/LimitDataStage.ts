import type { LimitDataToxic } from '../ToxicSpec.js';
import { END, Stage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Lets `bytes` bytes through in this direction, then closes the connection. */
export class LimitDataStage extends Stage {
  #passed = 0;
  #closed = false;
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: LimitDataToxic,
  ) {
    super(context, next);
  }
  override start(): void {
    if (this.toxic.bytes === 0) this.#close();
  }
  push(item: Item): void {
    if (this.#closed) return;
    if (item === END) {
      this.next.push(item);
      return;
    }
    const room = this.toxic.bytes - this.#passed;
    if (item.length < room) {
      this.#passed += item.length;
      this.next.push(item);
      return;
    }
    if (room > 0) this.next.push(item.subarray(0, room));
    this.#passed = this.toxic.bytes;
    this.#close();
  }
  #close(): void {
    this.#closed = true;
    this.context.closeConnection('close');
  }
}
