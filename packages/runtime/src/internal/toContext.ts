import type { CallContext, CancellationSource } from '../CallContext.js';
import { isAbortSignal } from './CallScope.js';

/** A context to hand to a function, reusing the caller's when it is one. */
export function toContext(source: CancellationSource | undefined): CallContext {
  if (source === undefined) return new UncancelledContext();
  if (isAbortSignal(source)) return new SignalContext(source);
  return source;
}

class SignalContext implements CallContext {
  constructor(readonly signal: AbortSignal) {}
}

/** No caller cancellation: a signal (that never aborts) only if the function asks for one. */
class UncancelledContext implements CallContext {
  private controller: AbortController | undefined = undefined;

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }
}
