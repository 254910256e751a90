/**
 * Memoises what a rule derives from its options (sets, maps, merged tables) per options object.
 * `createRule` hands every file linted with the same configuration the same frozen options
 * object, so the derivation runs once per configuration instead of once per file.
 */
export function perOptions<O extends object, T>(derive: (options: O) => T): (options: O) => T {
  const cache = new WeakMap<O, T>();
  return (options) => {
    let derived = cache.get(options);
    if (derived === undefined) {
      derived = derive(options);
      cache.set(options, derived);
    }
    return derived;
  };
}
