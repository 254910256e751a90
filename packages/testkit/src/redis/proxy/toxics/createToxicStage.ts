import type { ResolvedToxic } from '../ToxicSpec.js';
import type { Receiver, Stage, StageContext } from '../Stage.js';
import { BandwidthStage } from './BandwidthStage.js';
import { LatencyStage } from './LatencyStage.js';
import { LimitDataStage } from './LimitDataStage.js';
import { ResetPeerStage } from './ResetPeerStage.js';
import { SlicerStage } from './SlicerStage.js';
import { SlowCloseStage } from './SlowCloseStage.js';
import { TimeoutStage } from './TimeoutStage.js';

/** The stage that applies `toxic` to one direction of one connection. */
export function createToxicStage(toxic: ResolvedToxic, context: StageContext, next: Receiver): Stage {
  switch (toxic.type) {
    case 'latency':
      return new LatencyStage(context, next, toxic);
    case 'bandwidth':
      return new BandwidthStage(context, next, toxic);
    case 'slow_close':
      return new SlowCloseStage(context, next, toxic);
    case 'timeout':
      return new TimeoutStage(context, next, toxic);
    case 'reset_peer':
      return new ResetPeerStage(context, next, toxic);
    case 'slicer':
      return new SlicerStage(context, next, toxic);
    case 'limit_data':
      return new LimitDataStage(context, next, toxic);
  }
}
