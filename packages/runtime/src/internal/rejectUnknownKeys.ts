/**
 * Every key an options type may hold, as a record so that TypeScript fails when an option is
 * added to the interface but not here: `const KEYS: OptionKeys<BulkheadOptions> = { … }`.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Throws a `TypeError` naming the first key of `options` that is not in `known`:
 * `Bulkhead: unknown option "maxConcurent" (known: maxConcurrent, maxQueue, …)`. `path` prefixes
 * nested objects (`failureRate.` → `unknown option "failureRate.treshold"`). A misspelt option
 * silently ignored leaves a service running with the default it meant to change.
 */
export function rejectUnknownKeys(options: object, known: object, owner: string, path = ''): void {
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      const names = Object.keys(known).map((k) => `${path}${k}`);
      throw new TypeError(`${owner}: unknown option "${path}${key}" (known: ${names.join(', ')})`);
    }
  }
}
