/** True for a promise or any object with a callable `then`. */
export function isThenable<T>(value: PromiseLike<T> | T): value is PromiseLike<T> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<T>).then === 'function';
}

/** `value` as a native promise, without wrapping one that already is. */
export function toPromise<T>(value: PromiseLike<T>): Promise<T> {
  return value instanceof Promise ? (value as Promise<T>) : Promise.resolve(value);
}
