/**
 * Error brands. Each asyncguard error class carries a `Symbol.for` keyed property on its
 * prototype, so the `isX()` guards (and `instanceof`) recognise errors created by another copy
 * of the package — a second version in `node_modules`, or the ESM and CJS builds loaded side by
 * side — where a plain `instanceof` against one class object would say no.
 */

/** Registers `brand` on the prototype of `ctor` and makes `instanceof ctor` brand-based. */
export function installBrand(ctor: abstract new (...args: never[]) => Error, brand: symbol): void {
  Object.defineProperty(ctor.prototype, brand, { value: true, enumerable: false, writable: false, configurable: false });
  Object.defineProperty(ctor, Symbol.hasInstance, {
    value: function hasInstance(this: unknown, value: unknown): boolean {
      // A subclass keeps ordinary prototype-chain semantics; only the branded class itself
      // answers by brand.
      if (this !== ctor) return Function.prototype[Symbol.hasInstance].call(this, value);
      return hasBrand(value, brand);
    },
    configurable: true,
  });
}

export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** How a timed-out or failed call ended, as far as the server is concerned. */
export type CallOutcome =
  /** The request never left this process: it cannot have been applied. */
  | 'not-sent'
  /** The request may have reached the server and may still be (or have been) applied. */
  | 'unknown';

/** `12.3 ms` style rounding for messages. */
export function formatMs(ms: number): string {
  return `${Math.round(ms * 10) / 10} ms`;
}
