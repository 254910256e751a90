/** Rejects when `work` has not settled after `ms` milliseconds. */
export function withTimeout<T>(work: T | Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    Promise.resolve(work),
    new Promise<T>((_resolve, reject) => {
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}
