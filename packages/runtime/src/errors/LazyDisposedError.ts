import { hasBrand, installBrand } from './brand.js';

const BRAND = Symbol.for('asyncguard.LazyDisposedError');

/** A `lazy()` value was asked for after `dispose()`, or its attempt was cut short by it. */
export class LazyDisposedError extends Error {
  override readonly name = 'LazyDisposedError';
  /** The resource's name, if it has one. */
  readonly resource: string | undefined;

  constructor(resource?: string) {
    super(`${resource ?? 'lazy value'} was disposed`);
    this.resource = resource;
  }
}
installBrand(LazyDisposedError, BRAND);

/** True for a `LazyDisposedError` from any copy of `@asyncguard/runtime`. */
export function isLazyDisposedError(value: unknown): value is LazyDisposedError {
  return hasBrand(value, BRAND);
}
