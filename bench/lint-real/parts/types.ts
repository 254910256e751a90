/** What one in-process lint run reports back to the bench (as JSON on the child's stdout). */
export interface Finding {
  rule: string;
  /** Relative to the project root. */
  file: string;
  line: number;
  column: number;
  /** The rule's message, cut to 120 characters (for the lists of unmatched findings). */
  message: string;
}

/** A rule that threw: ESLint stops linting the file, so the file is linted alone and the throw recorded. */
export interface Crash {
  file: string;
  rule: string | null;
  message: string;
}

export interface LintRun {
  files: number;
  wallMs: number;
  /** Σ per-file parse time (ESLint stats), ms: for typed runs this includes building the program. */
  parseMs: number;
  /** Σ per-file total time (ESLint stats), ms. */
  totalMs: number;
  /** Σ per-file time by rule id (ESLint stats), ms. */
  byRule: Record<string, number>;
  findings: Finding[];
  crashes: Crash[];
  /** Fatal parse errors (a file the parser or the project service could not take). */
  fatals: { file: string; message: string }[];
}

/** The child's input (JSON on stdin). */
export interface LintJob {
  mode: 'typed' | 'untyped';
  rootDir: string;
  files: string[];
  tsconfig: string;
  ignores: string[];
  plugin: string;
  tseslint: string;
  withTheirs: boolean;
  theirsFirst: boolean;
}

export const NMA = '@asyncguard/no-missing-await';
export const NFP = '@typescript-eslint/no-floating-promises';
export const RT = '@asyncguard/require-timeout';
