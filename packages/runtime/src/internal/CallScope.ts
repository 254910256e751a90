import type { CallContext, CancellationSource } from '../CallContext.js';

type AbortListener = (reason: unknown) => void;

/**
 * A context that only decorates another (e.g. retry's per-attempt context) points at it with
 * this key, so policies further in subscribe to the real scope instead of forcing its signal.
 */
export const UNDERLYING: unique symbol = Symbol('asyncguard.underlyingContext');

/** The scope or signal behind a cancellation source. */
export function unwrapSource(source: CancellationSource): CancellationSource {
  let current = source as CancellationSource & { [UNDERLYING]?: CancellationSource };
  while (current[UNDERLYING] !== undefined) current = current[UNDERLYING] as typeof current;
  return current;
}

/**
 * A cancellation scope with a lazily created `AbortSignal`. Policies pass scopes down to each
 * other and subscribe with `onAbort`, which costs a function slot instead of an
 * `AbortController` and an event listener; only a function that reads `signal` makes one.
 */
export class CallScope implements CallContext {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | undefined = undefined;
  private listeners: AbortListener | AbortListener[] | undefined = undefined;
  private unlinkParent: (() => void) | undefined = undefined;

  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = this.controller = new AbortController();
      if (this.aborted) controller.abort(this.reason);
    }
    return controller.signal;
  }

  /** Follows `parent`: when it aborts, this scope aborts with the same reason. */
  link(source: CancellationSource | undefined): void {
    if (source === undefined) return;
    const parent = unwrapSource(source);
    if (parent instanceof CallScope) {
      if (parent.aborted) this.abort(parent.reason);
      else this.unlinkParent = parent.onAbort((reason) => this.abort(reason));
      return;
    }
    const signal = isAbortSignal(parent) ? parent : parent.signal;
    if (signal.aborted) {
      this.abort(signal.reason);
      return;
    }
    const onAbort = (): void => this.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.unlinkParent = () => signal.removeEventListener('abort', onAbort);
  }

  /** Stops following the parent. Call when the scoped work is over. */
  unlink(): void {
    const unlink = this.unlinkParent;
    if (unlink !== undefined) {
      this.unlinkParent = undefined;
      unlink();
    }
  }

  /** Subscribes to this scope's abort; returns the unsubscriber. */
  onAbort(listener: AbortListener): () => void {
    const current = this.listeners;
    if (current === undefined) this.listeners = listener;
    else if (typeof current === 'function') this.listeners = [current, listener];
    else current.push(listener);
    return () => this.offAbort(listener);
  }

  private offAbort(listener: AbortListener): void {
    const current = this.listeners;
    if (current === listener) this.listeners = undefined;
    else if (Array.isArray(current)) {
      const i = current.indexOf(listener);
      if (i !== -1) current.splice(i, 1);
    }
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.unlink();
    const listeners = this.listeners;
    this.listeners = undefined;
    if (typeof listeners === 'function') listeners(reason);
    else if (listeners !== undefined) for (const l of listeners) l(reason);
    // Abort the signal last: user abort handlers run synchronously and may throw.
    this.controller?.abort(reason);
  }
}

export function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
}

/** True when `value` can serve as a cancellation source. */
export function isCancellationSource(value: unknown): value is CancellationSource {
  return isAbortSignal(value) || value instanceof CallScope || (typeof value === 'object' && value !== null && 'signal' in value);
}

/** The source's abort state without forcing a lazy signal into existence. */
export function sourceAborted(original: CancellationSource | undefined): { aborted: boolean; reason: unknown } | undefined {
  if (original === undefined) return undefined;
  const source = unwrapSource(original);
  if (source instanceof CallScope) return source.aborted ? source : undefined;
  const signal = isAbortSignal(source) ? source : source.signal;
  return signal.aborted ? { aborted: true, reason: signal.reason } : undefined;
}

/** Subscribes to a source's abort without forcing a lazy signal; returns the unsubscriber. */
export function onSourceAbort(original: CancellationSource, listener: (reason: unknown) => void): () => void {
  const source = unwrapSource(original);
  if (source instanceof CallScope) return source.onAbort(listener);
  const signal = isAbortSignal(source) ? source : source.signal;
  const onAbort = (): void => listener(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
