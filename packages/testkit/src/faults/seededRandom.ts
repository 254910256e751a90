/** A source of uniform numbers in [0, 1), fully determined by its seed. */
export type RandomSource = () => number;

/** The largest seed plus one: seeds are unsigned 32-bit integers. */
export const SEED_LIMIT = 2 ** 32;

/** Mixes a 32-bit integer so that nearby seeds give unrelated streams (splitmix32 finaliser). */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A small, fast PRNG (sfc32) seeded from one 32-bit integer. The same seed always yields the
 * same sequence, on every platform, which is what lets a failing chaos run be replayed.
 */
export function seededRandom(seed: number): RandomSource {
  let a = mix32(seed);
  let b = mix32(a);
  let c = mix32(b);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / SEED_LIMIT;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * The seed to use when none is given: `ASYNCGUARD_FAULT_SEED` when set (so a run printed by a
 * failing test can be replayed from the shell), else a fresh random one.
 */
export function defaultSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.ASYNCGUARD_FAULT_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed = Number(fromEnv);
    if (Number.isInteger(parsed) && parsed >= 0 && parsed < SEED_LIMIT) return parsed;
    throw new RangeError(`ASYNCGUARD_FAULT_SEED must be an integer from 0 to ${SEED_LIMIT - 1}, got ${JSON.stringify(fromEnv)}`);
  }
  return Math.floor(Math.random() * SEED_LIMIT);
}
