import { FaultSpecError } from '../../faults/FaultSpecError.js';

/** Which way the bytes a toxic acts on flow: client → server (`upstream`) or server → client (`downstream`). */
export type ToxicStream = 'upstream' | 'downstream';

interface ToxicBase {
  /** Unique name; default `<type>_<stream>`. */
  name?: string;
  /** Default `downstream`, as in Toxiproxy. */
  stream?: ToxicStream;
  /** Chance (0..1) that the toxic applies to a given connection, drawn from the proxy's seed. Default 1. */
  toxicity?: number;
}

/** Delays every chunk by `latency` ms ± `jitter` ms (order is kept). */
export interface LatencyToxic extends ToxicBase {
  type: 'latency';
  latency: number;
  jitter?: number;
}
/** Limits throughput to `rate` KB/s (1 KB = 1000 bytes). */
export interface BandwidthToxic extends ToxicBase {
  type: 'bandwidth';
  rate: number;
}
/** Delays the close (FIN) by `delay` ms after the data. */
export interface SlowCloseToxic extends ToxicBase {
  type: 'slow_close';
  delay: number;
}
/** Drops all data; closes the connection after `timeout` ms (0: never — a blackhole until removed). */
export interface TimeoutToxic extends ToxicBase {
  type: 'timeout';
  timeout: number;
}
/** Resets the connection (TCP RST) `timeout` ms after the toxic starts on it (0: at once). */
export interface ResetPeerToxic extends ToxicBase {
  type: 'reset_peer';
  timeout?: number;
}
/** Splits data into slices of `averageSize` ± `sizeVariation` bytes, `delay` µs apart. */
export interface SlicerToxic extends ToxicBase {
  type: 'slicer';
  averageSize: number;
  sizeVariation?: number;
  /** Microseconds between slices, as in Toxiproxy. */
  delay?: number;
}
/** Lets `bytes` bytes through, then closes the connection. */
export interface LimitDataToxic extends ToxicBase {
  type: 'limit_data';
  bytes: number;
}

/** A toxic in Toxiproxy's vocabulary, attribute names in camelCase. */
export type Toxic = LatencyToxic | BandwidthToxic | SlowCloseToxic | TimeoutToxic | ResetPeerToxic | SlicerToxic | LimitDataToxic;
export type ToxicType = Toxic['type'];

/** A validated toxic with every default filled in. */
export type ResolvedToxic = Toxic & { name: string; stream: ToxicStream; toxicity: number };

const ATTRIBUTES: Record<ToxicType, Record<string, 'required' | 'optional'>> = {
  latency: { latency: 'required', jitter: 'optional' },
  bandwidth: { rate: 'required' },
  slow_close: { delay: 'required' },
  timeout: { timeout: 'required' },
  reset_peer: { timeout: 'optional' },
  slicer: { averageSize: 'required', sizeVariation: 'optional', delay: 'optional' },
  limit_data: { bytes: 'required' },
};
const COMMON = new Set(['type', 'name', 'stream', 'toxicity']);

const camel = (snake: string): string => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function number(toxic: Record<string, unknown>, field: string, test: (n: number) => boolean, expected: string): void {
  const value = toxic[field];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) throw new FaultSpecError(`${String(toxic.type)}.${field}`, expected, value);
}

/** Validates a toxic (throwing {@link FaultSpecError} naming the attribute) and fills in defaults. */
export function resolveToxic(input: unknown): ResolvedToxic {
  if (typeof input !== 'object' || input === null) throw new FaultSpecError('toxic', 'an object with a type', input);
  const toxic = input as Record<string, unknown>;
  const type = toxic.type as ToxicType;
  const attributes = ATTRIBUTES[type];
  if (typeof type !== 'string' || attributes === undefined || !Object.hasOwn(ATTRIBUTES, type)) {
    throw new FaultSpecError('toxic.type', `one of ${Object.keys(ATTRIBUTES).join(', ')}`, toxic.type);
  }
  for (const field of Object.keys(toxic)) {
    if (COMMON.has(field) || field in attributes) continue;
    const hint = camel(field) in attributes ? ` (did you mean ${camel(field)}?)` : '';
    throw new FaultSpecError(`${type}.${field}`, `absent: ${type} takes ${Object.keys(attributes).join(', ')}${hint}`, toxic[field]);
  }
  for (const [field, need] of Object.entries(attributes)) {
    if (need === 'required' && toxic[field] === undefined) throw new FaultSpecError(`${type}.${field}`, 'given', undefined);
  }
  const nonNegative = (n: number): boolean => n >= 0;
  number(toxic, 'latency', nonNegative, 'a number of ms >= 0');
  number(toxic, 'jitter', nonNegative, 'a number of ms >= 0');
  number(toxic, 'rate', (n) => n > 0, 'a number of KB/s > 0');
  number(toxic, 'timeout', nonNegative, 'a number of ms >= 0');
  number(toxic, 'bytes', (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
  number(toxic, 'averageSize', (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
  number(toxic, 'delay', nonNegative, type === 'slicer' ? 'a number of µs >= 0' : 'a number of ms >= 0');
  if (type === 'slicer') {
    const average = toxic.averageSize as number;
    number(toxic, 'sizeVariation', (n) => Number.isInteger(n) && n >= 0 && n < average, `an integer from 0 to averageSize - 1 (${average - 1})`);
  }
  const stream = toxic.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw new FaultSpecError(`${type}.stream`, '"upstream" or "downstream"', stream);
  const toxicity = toxic.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) throw new FaultSpecError(`${type}.toxicity`, 'a number from 0 to 1', toxicity);
  const name = toxic.name ?? `${type}_${stream}`;
  if (typeof name !== 'string' || name === '') throw new FaultSpecError(`${type}.name`, 'a non-empty string', name);
  return { ...(toxic as unknown as Toxic), name, stream, toxicity };
}
