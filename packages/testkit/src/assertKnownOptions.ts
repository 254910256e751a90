/**
 * Throws a TypeError naming the first key of `options` that is not in `known`, in RedisManager's
 * words (`owner: unknown option "key"`): a misspelt option would otherwise be ignored without a
 * word. Fault-spec options use `rejectUnknownOptions`, which throws a `FaultSpecError` instead.
 */
export function assertKnownOptions(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${owner}: unknown option "${key}" (known options: ${known.join(', ')})`);
  }
}
