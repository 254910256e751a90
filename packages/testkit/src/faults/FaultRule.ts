import type { CompiledRule, FaultRuleSpec } from './FaultRuleSpec.js';
import type { RandomSource } from './seededRandom.js';

/** A live rule in a plan. */
export class FaultRule {
  /** Calls that matched `command` and `key` so far (what `nth` counts). */
  matched = 0;
  /** Calls this rule applied to. */
  hits = 0;
  #removed = false;
  /** @internal */
  constructor(
    readonly id: string,
    private readonly compiled: CompiledRule,
    /** @internal */ readonly random: RandomSource,
    private readonly detach: (rule: FaultRule) => void,
  ) {}

  get spec(): FaultRuleSpec {
    return this.compiled.spec;
  }
  /** False once removed or spent (`times` reached). */
  get active(): boolean {
    return !this.#removed && !this.spent;
  }
  get spent(): boolean {
    return this.compiled.spec.times !== undefined && this.hits >= this.compiled.spec.times;
  }
  /** Takes the rule out of its plan; calls already delayed or hanging stay so. */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    this.detach(this);
  }

  /**
   * @internal Counts the call and says whether the rule applies to it. `keyBytes` gives the
   * call's keys as byte strings (one char per byte), what the key glob is matched against.
   */
  consider(command: string, keyBytes: () => readonly string[]): boolean {
    const { commands, key, nth, spec } = this.compiled;
    if (commands !== undefined && !commands.has(command)) return false;
    if (key !== undefined && !keyBytes().some((k) => key.test(k))) return false;
    this.matched++;
    if (nth !== undefined && !nth.has(this.matched)) return false;
    if (this.spent) return false;
    if (spec.probability !== undefined && !(this.random() < spec.probability)) return false;
    return true;
  }
}
