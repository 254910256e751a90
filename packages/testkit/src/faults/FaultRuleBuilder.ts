import type { FailKind } from './faultKinds.js';
import type { FaultRule } from './FaultRule.js';
import type { FaultAction, FaultRuleSpec } from './FaultRuleSpec.js';

/** Narrowing of a rule beyond its command name. */
export type FaultMatch = Pick<FaultRuleSpec, 'key' | 'nth' | 'probability' | 'times'>;

type Commit = (action: FaultAction, extra: FaultMatch, label: string) => FaultRule;

/**
 * Returned by `FaultPlan#on`: optional modifiers (`times`, `nth`, `probability`, `key`)
 * followed by one action, which adds the rule to the plan and returns its handle.
 */
export class FaultRuleBuilder {
  #extra: FaultMatch = {};
  /** @internal */
  constructor(
    private readonly commit: Commit,
    private readonly label: string,
  ) {}

  /** Only calls whose key matches this Redis glob. */
  key(glob: string): this {
    this.#extra = { ...this.#extra, key: glob };
    return this;
  }
  /** Only the n-th matching call(s), 1-based. */
  nth(n: number | readonly number[]): this {
    this.#extra = { ...this.#extra, nth: n };
    return this;
  }
  /** Each matching call is hit with this chance (seeded). */
  probability(p: number): this {
    this.#extra = { ...this.#extra, probability: p };
    return this;
  }
  /** The rule is spent after hitting `n` calls. */
  times(n: number): this {
    this.#extra = { ...this.#extra, times: n };
    return this;
  }

  /** Answers late: after `ms` (± `jitter`), or a uniform draw in `{ min, max }`. */
  delay(ms: number | { min: number; max: number }, options: { jitter?: number } = {}): FaultRule {
    if (typeof ms === 'object' && ms !== null) return this.#done({ type: 'delay', min: ms.min, max: ms.max });
    return this.#done(options.jitter === undefined ? { type: 'delay', ms } : { type: 'delay', ms, jitter: options.jitter });
  }
  /** Answers after a random delay, uniform in `[0, maxMs]`. */
  jitter(maxMs: number): FaultRule {
    return this.#done({ type: 'delay', min: 0, max: maxMs });
  }
  /** Fails every matching call: a Redis error reply (default `ERR`), or `ECONNRESET`. */
  fail(kind: FailKind = 'ERR', message?: string): FaultRule {
    return this.#done(message === undefined ? { type: 'fail', kind } : { type: 'fail', kind, message });
  }
  /** Fails the next `n` matching calls, then lets calls through (recovery). */
  failTimes(n: number, kind: FailKind = 'ERR', message?: string): FaultRule {
    this.#extra = { ...this.#extra, times: n };
    return this.fail(kind, message);
  }
  /** Resets the connection under the command (shorthand for `fail('ECONNRESET')`). */
  reset(): FaultRule {
    return this.fail('ECONNRESET');
  }
  /** Never answers. */
  hang(): FaultRule {
    return this.#done({ type: 'hang' });
  }
  /** Drops the connection while the command is in flight. */
  disconnect(): FaultRule {
    return this.#done({ type: 'disconnect' });
  }

  #done(action: FaultAction): FaultRule {
    return this.commit(action, this.#extra, this.label);
  }
}
