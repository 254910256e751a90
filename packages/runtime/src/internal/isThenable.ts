/** True for a promise or any object with a callable `then`. */
export function isThenable<T>(value: PromiseLike<T> | T): value is PromiseLike<T> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<T>).then === 'function';
}
