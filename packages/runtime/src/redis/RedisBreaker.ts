import type { CircuitBreaker, CircuitState } from '../CircuitBreaker.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';

const succeed = (): undefined => undefined;
const ignore = (): void => undefined;

/**
 * Drives a {@link CircuitBreaker} from the manager's own command path.
 *
 * `CircuitBreaker.execute` wraps a call in a promise; on the hot path the manager already owns
 * the command's promise, so instead it asks the state up front (`tryPass`) and reports each
 * result afterwards as a synchronous `execute`, which records it exactly like a wrapped call.
 * While half-open one real call at a time is the trial; the health monitor's PING counts as a
 * trial too, so the breaker closes after Redis returns even with no traffic.
 * @internal
 */
export class RedisBreaker {
  private trialInFlight = false;
  /** Failures recorded since the last recorded success (skip recording successes otherwise). */
  private dirty = false;

  constructor(
    readonly breaker: CircuitBreaker,
    /** True when only consecutive failures matter, so a success after a success changes nothing. */
    private readonly consecutiveOnly: boolean,
    /** A PING that gets an answer ends the open wait at once (the next call is the trial). */
    private readonly halfOpenOnPing: boolean,
    onChange: (state: CircuitState) => void,
  ) {
    breaker.onOpen(() => {
      this.trialInFlight = false;
      onChange('open');
    });
    breaker.onHalfOpen(() => {
      this.trialInFlight = false;
      onChange('half-open');
    });
    breaker.onClose(() => {
      this.trialInFlight = false;
      onChange('closed');
    });
  }

  get state(): CircuitState {
    return this.breaker.state;
  }

  /** May a call start now? In half-open, only while no trial is in flight (it becomes the trial). */
  tryPass(): boolean {
    const state = this.breaker.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  /** Whether calls are refused right now (open, and the wait before a trial is not over). */
  isOpen(): boolean {
    return this.breaker.state === 'open';
  }

  /** A call that may have taken the trial slot ended without a result (refused, cut): free the slot. */
  release(): void {
    this.trialInFlight = false;
  }

  success(): void {
    if (this.breaker.state === 'open') return; // a stale result from before it opened
    if (this.consecutiveOnly && !this.dirty && !this.trialInFlight && this.breaker.state === 'closed') return;
    this.dirty = false;
    this.trialInFlight = false;
    void this.breaker.execute(succeed);
  }

  failure(): void {
    if (this.breaker.state === 'open') return;
    this.dirty = true;
    this.trialInFlight = false;
    this.breaker.execute(() => {
      throw new Error('redis call failed');
    }).then(undefined, ignore);
  }

  /**
   * A health PING result. Redis answering while the breaker is open ends the wait at once
   * (half-open: the next call is the trial) when `halfOpenOnPing`; otherwise, and when already
   * half-open, the PING counts as a trial when the breaker is ready for one.
   */
  probe(ok: boolean): void {
    const state = this.breaker.state; // moves open → half-open when the wait is over
    if (state === 'open') {
      if (ok && this.halfOpenOnPing) this.breaker.halfOpen();
      return;
    }
    if (state === 'half-open' && this.trialInFlight) return;
    if (ok) this.success();
    else this.failure();
  }

  openError(operation: string): CircuitOpenError {
    const snapshot = this.breaker.snapshot();
    return new CircuitOpenError({ operation, breaker: this.breaker.name, state: snapshot.state === 'half-open' ? 'half-open' : 'open', retryAfterMs: snapshot.retryAfterMs });
  }
}
