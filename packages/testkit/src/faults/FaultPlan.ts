import { argBytes, argText, commandKeyIndexes, type CommandArg } from './commandKeys.js';
import { errorReplyText, type FailKind, type ReplyErrorKind } from './faultKinds.js';
import { FaultRuleBuilder, type FaultMatch } from './FaultRuleBuilder.js';
import { FaultRule } from './FaultRule.js';
import { compileRule, type CompiledRule, type FaultAction, type FaultRuleSpec } from './FaultRuleSpec.js';
import { FaultSpecError } from './FaultSpecError.js';
import { rejectUnknownOptions } from './rejectUnknownOptions.js';
import { defaultSeed, mix32, SEED_LIMIT, seededRandom, type RandomSource } from './seededRandom.js';

export interface FaultPlanOptions {
  /** Seed of every random draw (probability, jitter, min/max delays). Default: `ASYNCGUARD_FAULT_SEED`, else random. Read it back from `plan.seed`. */
  seed?: number;
  /** Rules to start with, as data. */
  rules?: readonly FaultRuleSpec[];
  /** How many calls the log keeps (oldest dropped first). Default 10 000. */
  logLimit?: number;
}

/** The keys of {@link FaultPlanOptions}. */
export const FAULT_PLAN_OPTIONS: readonly (keyof FaultPlanOptions)[] = ['seed', 'rules', 'logLimit'];

/** What a command meets, decided once per call (a resent command is a new call). */
export type FaultOutcome =
  | { type: 'pass' }
  | { type: 'error'; kind: ReplyErrorKind; reply: string }
  | { type: 'reset' }
  | { type: 'hang' }
  | { type: 'disconnect' };

export interface FaultDecision {
  /** Total delay from every matching delay rule, in ms (0 when none). */
  delayMs: number;
  outcome: FaultOutcome;
  /** Log entry of this call (the same object as in `plan.log`). */
  entry: CallLogEntry;
}

/** One line of the call log: what a command met. */
export interface CallLogEntry {
  /** 1-based number of the call in this plan. */
  seq: number;
  /** ms since the plan was created. */
  at: number;
  command: string;
  keys: string[];
  /** Ids of the rules that hit this call. */
  rules: string[];
  delayMs: number;
  outcome: FaultOutcome['type'];
  /** Error reply text, for `outcome: 'error'`. */
  reply?: string;
}

/**
 * A seeded set of fault rules, shared by `createFaultyRedis` (in memory) and `ChaosProxy` (on
 * the wire). Rules are evaluated in the order they were added: every matching delay adds up,
 * and the first matching fail/hang/disconnect decides the outcome. Rules can be added and removed
 * at any time; every call is recorded in {@link FaultPlan.log}.
 */
export class FaultPlan {
  readonly seed: number;
  readonly #rules: FaultRule[] = [];
  readonly #log: CallLogEntry[] = [];
  readonly #logLimit: number;
  readonly #start = performance.now();
  #ruleCount = 0;
  #seq = 0;

  constructor(options: FaultPlanOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new FaultSpecError('options', 'an object', options);
    rejectUnknownOptions(options, FAULT_PLAN_OPTIONS);
    const seed = options.seed ?? defaultSeed();
    if (!Number.isInteger(seed) || seed < 0 || seed >= SEED_LIMIT) throw new FaultSpecError('seed', `an integer from 0 to ${SEED_LIMIT - 1}`, seed);
    this.seed = seed;
    const logLimit = options.logLimit ?? 10_000;
    if (!Number.isInteger(logLimit) || logLimit < 0) throw new FaultSpecError('logLimit', 'an integer >= 0', logLimit);
    this.#logLimit = logLimit;
    if (options.rules !== undefined) {
      if (!Array.isArray(options.rules)) throw new FaultSpecError('rules', 'an array of rules', options.rules);
      // Validate all first so a bad rule leaves the plan empty rather than half-built.
      const compiled = options.rules.map((rule, i) => compileRule(rule, `rules[${i}]`));
      for (const c of compiled) this.#attach(c);
    }
  }

  /**
   * Starts a rule for `command` (a name, several, or `'*'`), optionally narrowed by key glob,
   * nth call, probability and times; finish it with an action: `.delay()`, `.fail()`, ...
   */
  on(command: string | readonly string[] = '*', match: FaultMatch = {}): FaultRuleBuilder {
    return new FaultRuleBuilder((action, extra, label) => this.add({ ...match, ...extra, command, action }, label), `faults.on(${JSON.stringify(command)})`);
  }

  /** Adds a rule given as data; throws {@link FaultSpecError} naming the bad field. */
  add(rule: FaultRuleSpec, path = 'rule'): FaultRule {
    return this.#attach(compileRule(rule, path));
  }

  /** Removes a rule (by handle or id). Returns whether it was in the plan. */
  remove(rule: FaultRule | string): boolean {
    const found = typeof rule === 'string' ? this.#rules.find((r) => r.id === rule) : rule;
    if (found === undefined || !this.#rules.includes(found)) return false;
    found.remove();
    return true;
  }

  /** Removes every rule (the log and the call counters of the plan are kept). */
  clear(): void {
    for (const rule of [...this.#rules]) rule.remove();
  }

  /** Rules currently in the plan, spent ones included. */
  get rules(): readonly FaultRule[] {
    return [...this.#rules];
  }

  /** Calls seen so far, oldest first (the last `logLimit` of them). */
  get log(): readonly CallLogEntry[] {
    if (this.#log.length > this.#logLimit) this.#log.splice(0, this.#log.length - this.#logLimit);
    return this.#log;
  }

  clearLog(): void {
    this.#log.length = 0;
  }

  /** A one-line hint for failure messages: how to replay this run. */
  describe(): string {
    return `fault plan seed ${this.seed} (replay with { seed: ${this.seed} } or ASYNCGUARD_FAULT_SEED=${this.seed}), ${this.#rules.length} rule(s), ${this.#seq} call(s)`;
  }

  /** Decides what one call meets and records it. `command` is case-insensitive. */
  decide(command: string, args: readonly CommandArg[]): FaultDecision {
    const name = command.toLowerCase();
    const at = commandKeyIndexes(name, args);
    const keys = at.map((i) => argText(args[i] as CommandArg));
    let bytes: string[] | undefined; // the keys as Redis sees them, for key globs
    const keyBytes = (): string[] => (bytes ??= at.map((i) => argBytes(args[i] as CommandArg)));
    let delayMs = 0;
    let terminal: FaultAction | undefined;
    const hit: string[] = [];
    const rules = this.#rules.length === 0 ? this.#rules : [...this.#rules];
    for (const rule of rules) {
      if (!rule.consider(name, keyBytes)) continue;
      const action = rule.spec.action;
      if (action.type === 'delay') delayMs += drawDelay(action, rule.random);
      else if (terminal === undefined) terminal = action;
      else continue;
      rule.hits++;
      hit.push(rule.id);
    }
    const outcome = toOutcome(terminal, keys[0]);
    const entry: CallLogEntry = {
      seq: ++this.#seq,
      at: Math.round((performance.now() - this.#start) * 10) / 10,
      command: name,
      keys,
      rules: hit,
      delayMs,
      outcome: outcome.type,
    };
    if (outcome.type === 'error') entry.reply = outcome.reply;
    if (this.#logLimit > 0) {
      this.#log.push(entry);
      // Trim in batches (the log may hold up to twice the limit between reads): O(1) per call.
      if (this.#log.length >= 2 * this.#logLimit) this.#log.splice(0, this.#log.length - this.#logLimit);
    }
    return { delayMs, outcome, entry };
  }

  #attach(compiled: CompiledRule): FaultRule {
    const ordinal = ++this.#ruleCount;
    const rule = new FaultRule(`r${ordinal}`, compiled, seededRandom((this.seed ^ mix32(ordinal)) >>> 0), (r) => {
      const at = this.#rules.indexOf(r);
      if (at >= 0) this.#rules.splice(at, 1);
    });
    this.#rules.push(rule);
    return rule;
  }
}

function drawDelay(action: Extract<FaultAction, { type: 'delay' }>, random: RandomSource): number {
  if ('min' in action) return action.min + random() * (action.max - action.min);
  if (action.jitter === undefined || action.jitter === 0) return action.ms;
  return Math.max(0, action.ms + (random() * 2 - 1) * action.jitter);
}

function toOutcome(action: FaultAction | undefined, key: string | undefined): FaultOutcome {
  if (action === undefined) return { type: 'pass' };
  switch (action.type) {
    case 'fail':
      return action.kind === 'ECONNRESET' ? { type: 'reset' } : { type: 'error', kind: action.kind, reply: errorReplyText(action.kind, action.message, key) };
    case 'hang':
      return { type: 'hang' };
    case 'disconnect':
      return { type: 'disconnect' };
    default:
      return { type: 'pass' };
  }
}

export type { FailKind };
