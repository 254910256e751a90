import type { ResetPeerToxic } from '../ToxicSpec.js';
import { Stage, type Item, type Receiver, type StageContext } from '../Stage.js';

/** Resets the connection (RST) `timeout` ms after it starts; data flows until then. */
export class ResetPeerStage extends Stage {
  #timer: NodeJS.Timeout | undefined;
  constructor(
    context: StageContext,
    next: Receiver,
    private readonly toxic: ResetPeerToxic,
  ) {
    super(context, next);
  }
  override start(): void {
    this.#timer = setTimeout(() => this.context.closeConnection('reset'), this.toxic.timeout ?? 0);
  }
  push(item: Item): void {
    this.next.push(item);
  }
  override drain(): void {
    this.dispose();
  }
  override dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
