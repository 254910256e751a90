import type { CallContext, CancellationSource } from '../CallContext.js';
import { CallScope, isAbortSignal } from './CallScope.js';

/** A context to hand to a function, reusing the caller's when it is one. */
export function toContext(source: CancellationSource | undefined): CallContext {
  if (source === undefined) return new CallScope();
  if (isAbortSignal(source)) return new SignalContext(source);
  return source;
}

class SignalContext implements CallContext {
  constructor(readonly signal: AbortSignal) {}
}
