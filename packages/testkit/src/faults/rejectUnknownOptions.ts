import { FaultSpecError } from './FaultSpecError.js';

/**
 * Throws a {@link FaultSpecError} naming the first key of `options` that is not in `known` (a
 * misspelt option would otherwise be ignored without a word), as RedisManager does for its own
 * options. `path` prefixes the key for nested objects (`upstream.prot`).
 */
export function rejectUnknownOptions(options: object, known: readonly string[], path = ''): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const at = path === '' ? key : `${path}.${key}`;
    throw new FaultSpecError(at, `absent (unknown option "${key}"; known options: ${known.join(', ')})`, (options as Record<string, unknown>)[key]);
  }
}
