/** The contenders of the lint benchmark and the summary each run prints. */
export type ContenderName = 'parse-floor' | 'traversal-floor' | 'recommended' | 'typed-no-missing-await' | 'typed-no-floating-promises';

export const isTyped = (c: ContenderName): boolean => c.startsWith('typed-');

export interface RunSummary {
  contender: ContenderName;
  files: number;
  wallMs: number;
  /** Σ per-file parse time (ms). */
  parseMs: number;
  /** Σ per-file rule time (ms), all rules. */
  rulesMs: number;
  /** Σ per-file total time (ms): parse + rules + fixes. */
  totalMs: number;
  /** Σ per-file time by rule id (ms). */
  byRule: Record<string, number>;
  problems: number;
}
