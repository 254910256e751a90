import type fc from 'fast-check';

/**
 * Fast-check parameters, as in the other packages' property tests: ASYNCGUARD_FC_SEED reproduces
 * a run (fast-check prints the seed of a failing one), ASYNCGUARD_FC_RUNS overrides the count.
 */
/** The seed CI runs with when ASYNCGUARD_FC_SEED is not set. */
const CI_SEED = 20261207;

export function fcOptions<T>(runs: number): fc.Parameters<T> {
  // CI runs one fixed seed (a landing never depends on a lucky draw); local runs explore new ones.
  const seed = process.env['ASYNCGUARD_FC_SEED'] ?? (process.env['CI'] ? String(CI_SEED) : undefined);
  const override = Number(process.env['ASYNCGUARD_FC_RUNS'] ?? '0');
  return { numRuns: override > 0 ? override : runs, ...(seed ? { seed: Number(seed) } : {}) };
}
