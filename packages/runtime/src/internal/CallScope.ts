import type { CallContext, CancellationSource } from '../CallContext.js';

type AbortListener = (reason: unknown) => void;

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
  link(parent: CancellationSource | undefined): void {
    if (parent === undefined) return;
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
export function sourceAborted(source: CancellationSource | undefined): { aborted: boolean; reason: unknown } | undefined {
  if (source === undefined) return undefined;
  if (source instanceof CallScope) return source.aborted ? source : undefined;
  const signal = isAbortSignal(source) ? source : source.signal;
  return signal.aborted ? { aborted: true, reason: signal.reason } : undefined;
}
