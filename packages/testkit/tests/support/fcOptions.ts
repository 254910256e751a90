import type fc from 'fast-check';

/**
 * Fast-check parameters, as in the other packages' property tests: ASYNCGUARD_FC_SEED reproduces
 * a run (fast-check prints the seed of a failing one), ASYNCGUARD_FC_RUNS overrides the count.
 */
export function fcOptions<T>(runs: number): fc.Parameters<T> {
  const seed = process.env['ASYNCGUARD_FC_SEED'];
  const override = Number(process.env['ASYNCGUARD_FC_RUNS'] ?? '0');
  return { numRuns: override > 0 ? override : runs, ...(seed ? { seed: Number(seed) } : {}) };
}
