import { assertKnownOptions } from '../assertKnownOptions.js';

/**
 * How a LlamaIndex double misbehaves, in the fault vocabulary the Redis testkit uses:
 * `delayMs` before answering, `hang` forever, `fail` with an error, `failTimes` then recover.
 */
export interface LlamaFault {
  /** Wait this long (ms, through `setTimeout`, so fake timers control it) before answering. */
  delayMs?: number;
  /** Never settle. Nothing is scheduled, so a hung call holds no timer or handle. */
  hang?: boolean;
  /** Reject with this error (a string becomes an `Error`). */
  fail?: Error | string;
  /** With `fail`: only the first N calls fail, later ones succeed. Default: every call fails. */
  failTimes?: number;
}

/** Checks a fault spec, naming the bad field. */
export function validateLlamaFault(fault: LlamaFault | undefined, owner: string): void {
  if (fault === undefined) return;
  if (typeof fault !== 'object' || fault === null) throw new TypeError(`${owner}: options.fault must be an object`);
  assertKnownOptions(`${owner}: options.fault`, fault, ['delayMs', 'hang', 'fail', 'failTimes']);
  const { delayMs, hang, fail, failTimes } = fault;
  if (delayMs !== undefined && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new RangeError(`${owner}: options.fault.delayMs must be a number of milliseconds >= 0, got ${String(delayMs)}`);
  }
  if (hang !== undefined && typeof hang !== 'boolean') throw new TypeError(`${owner}: options.fault.hang must be a boolean, got ${String(hang)}`);
  if (fail !== undefined && typeof fail !== 'string' && !(fail instanceof Error)) {
    throw new TypeError(`${owner}: options.fault.fail must be an Error or a message string`);
  }
  if (failTimes !== undefined && !(Number.isInteger(failTimes) && failTimes >= 0)) {
    throw new RangeError(`${owner}: options.fault.failTimes must be an integer >= 0, got ${String(failTimes)}`);
  }
  if (failTimes !== undefined && fail === undefined) throw new TypeError(`${owner}: options.fault.failTimes needs options.fault.fail`);
}

/**
 * Applies `fault` to the `call`-th call (1-based), then produces the answer. Rejections carry the
 * fault's error; a hang returns a promise that never settles.
 */
export async function applyLlamaFault<T>(fault: LlamaFault | undefined, call: number, answer: () => T | Promise<T>): Promise<T> {
  if (fault?.hang === true) return new Promise<T>(() => undefined);
  if (fault?.delayMs !== undefined && fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault?.fail !== undefined && (fault.failTimes === undefined || call <= fault.failTimes)) {
    throw typeof fault.fail === 'string' ? new Error(fault.fail) : fault.fail;
  }
  return answer();
}
