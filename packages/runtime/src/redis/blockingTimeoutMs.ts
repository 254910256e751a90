/** The block time, in ms, of a blocking command's arguments. */
export function blockingTimeoutMs(name: string, args: readonly unknown[]): number {
  if (name === 'xread' || name === 'xreadgroup') {
    const i = args.findIndex((a) => typeof a === 'string' && a.toLowerCase() === 'block');
    const ms = Number(args[i + 1]);
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`redis.${name}: BLOCK needs a non-negative number of milliseconds`);
    return ms;
  }
  if (name === 'wait' || name === 'waitaof') {
    const ms = Number(args[args.length - 1]);
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`redis.${name}: the timeout must be a non-negative number of milliseconds`);
    return ms;
  }
  // BLPOP/BRPOP/BLMOVE/BZPOPMIN/…: timeout in seconds, last argument (BLMPOP/BZMPOP: first).
  const raw = name === 'blmpop' || name === 'bzmpop' ? args[0] : args[args.length - 1];
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`redis.${name}: the timeout must be a non-negative number of seconds`);
  return seconds * 1000;
}
