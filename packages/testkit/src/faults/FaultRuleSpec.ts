import { FAIL_KINDS, type FailKind } from './faultKinds.js';
import { FaultSpecError } from './FaultSpecError.js';
import { redisGlob } from './redisGlob.js';

/** A delay before the command is answered: fixed (± `jitter`) or uniform in `[min, max]`. */
export type DelayAction =
  | { type: 'delay'; ms: number; jitter?: number }
  | { type: 'delay'; min: number; max: number };
/** An injected failure: a Redis error reply, or a connection reset under the command. */
export interface FailAction {
  type: 'fail';
  kind: FailKind;
  /** Error reply text; the kind's prefix is added when missing. Ignored for ECONNRESET. */
  message?: string;
}
/** The command is never answered (until the connection closes). */
export interface HangAction {
  type: 'hang';
}
/** The connection drops while the command is in flight (no error event; `close`, then reconnect). */
export interface DisconnectAction {
  type: 'disconnect';
}
export type FaultAction = DelayAction | FailAction | HangAction | DisconnectAction;

/**
 * One rule of a fault plan, as plain data (so it can live in a JSON fixture or be shared between
 * the in-memory client and the chaos proxy). All match fields must hold for the rule to apply.
 */
export interface FaultRuleSpec {
  /** Command name(s), case-insensitive; `'*'` or absent matches every command. */
  command?: string | readonly string[];
  /** Redis glob matched against the command's keys (any key matching is enough). */
  key?: string;
  /** Apply only to these calls (1-based) among the calls that match `command` and `key`. */
  nth?: number | readonly number[];
  /** Chance (0..1) that a matching call is hit, drawn from the plan's seeded generator. */
  probability?: number;
  /** After hitting this many calls the rule is spent and stops matching. */
  times?: number;
  action: FaultAction;
}

/** A validated rule with its matchers compiled. */
export interface CompiledRule {
  readonly spec: FaultRuleSpec;
  readonly commands: ReadonlySet<string> | undefined;
  readonly key: RegExp | undefined;
  readonly nth: ReadonlySet<number> | undefined;
}

const COMMAND_NAME = /^[a-z][a-z0-9_|.-]*$/i;

function nonNegative(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new FaultSpecError(path, 'a finite number of milliseconds >= 0', value);
  return value;
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new FaultSpecError(path, 'a positive integer', value);
  return value;
}

function validateAction(action: unknown, path: string): FaultAction {
  if (typeof action !== 'object' || action === null) throw new FaultSpecError(path, 'an action object ({ type: "delay" | "fail" | "hang" | "disconnect" })', action);
  const a = action as Record<string, unknown>;
  switch (a.type) {
    case 'delay': {
      if (a.min !== undefined || a.max !== undefined) {
        const min = nonNegative(a.min, `${path}.min`);
        const max = nonNegative(a.max, `${path}.max`);
        if (max < min) throw new FaultSpecError(`${path}.max`, `at least min (${min})`, max);
        if (a.ms !== undefined) throw new FaultSpecError(`${path}.ms`, 'absent when min/max are given', a.ms);
        return { type: 'delay', min, max };
      }
      const ms = nonNegative(a.ms, `${path}.ms`);
      if (a.jitter === undefined) return { type: 'delay', ms };
      return { type: 'delay', ms, jitter: nonNegative(a.jitter, `${path}.jitter`) };
    }
    case 'fail': {
      const kind = a.kind ?? 'ERR';
      if (!FAIL_KINDS.includes(kind as FailKind)) throw new FaultSpecError(`${path}.kind`, `one of ${FAIL_KINDS.join(', ')}`, kind);
      if (a.message !== undefined && (typeof a.message !== 'string' || a.message === '' || /[\r\n]/.test(a.message))) {
        throw new FaultSpecError(`${path}.message`, 'a non-empty single-line string', a.message);
      }
      return a.message === undefined ? { type: 'fail', kind: kind as FailKind } : { type: 'fail', kind: kind as FailKind, message: a.message };
    }
    case 'hang':
      return { type: 'hang' };
    case 'disconnect':
      return { type: 'disconnect' };
    default:
      throw new FaultSpecError(`${path}.type`, 'one of "delay", "fail", "hang", "disconnect"', a.type);
  }
}

/** Validates a rule (throwing {@link FaultSpecError} naming the field) and compiles its matchers. */
export function compileRule(input: unknown, path = 'rule'): CompiledRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultSpecError(path, 'a rule object', input);
  const r = input as Record<string, unknown>;
  const known = new Set(['command', 'key', 'nth', 'probability', 'times', 'action']);
  for (const field of Object.keys(r)) {
    if (!known.has(field)) throw new FaultSpecError(`${path}.${field}`, `absent (known fields: ${[...known].join(', ')})`, r[field]);
  }

  let commands: Set<string> | undefined;
  if (r.command !== undefined && r.command !== '*') {
    const list = typeof r.command === 'string' ? [r.command] : r.command;
    if (!Array.isArray(list) || list.length === 0) throw new FaultSpecError(`${path}.command`, 'a command name or a non-empty array of them', r.command);
    commands = new Set();
    list.forEach((name: unknown, i) => {
      if (name === '*') return;
      if (typeof name !== 'string' || !COMMAND_NAME.test(name)) {
        throw new FaultSpecError(typeof r.command === 'string' ? `${path}.command` : `${path}.command[${i}]`, 'a Redis command name like "get" or "*"', name);
      }
      commands?.add(name.toLowerCase());
    });
    if (list.includes('*')) commands = undefined;
  }

  const key = r.key === undefined ? undefined : redisGlob(r.key as string, `${path}.key`);

  let nth: Set<number> | undefined;
  if (r.nth !== undefined) {
    const list = typeof r.nth === 'number' ? [r.nth] : r.nth;
    if (!Array.isArray(list) || list.length === 0) throw new FaultSpecError(`${path}.nth`, 'a positive integer or a non-empty array of them', r.nth);
    nth = new Set(list.map((n: unknown, i) => positiveInteger(n, typeof r.nth === 'number' ? `${path}.nth` : `${path}.nth[${i}]`)));
  }

  if (r.probability !== undefined && (typeof r.probability !== 'number' || !(r.probability >= 0 && r.probability <= 1))) {
    throw new FaultSpecError(`${path}.probability`, 'a number from 0 to 1', r.probability);
  }
  if (r.times !== undefined) positiveInteger(r.times, `${path}.times`);
  const action = validateAction(r.action, `${path}.action`);

  const spec: FaultRuleSpec = { action };
  if (r.command !== undefined) spec.command = r.command as FaultRuleSpec['command'];
  if (r.key !== undefined) spec.key = r.key as string;
  if (r.nth !== undefined) spec.nth = r.nth as FaultRuleSpec['nth'];
  if (r.probability !== undefined) spec.probability = r.probability as number;
  if (r.times !== undefined) spec.times = r.times as number;
  return { spec, commands, key, nth };
}
