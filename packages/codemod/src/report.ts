/** The transforms this codemod knows, in the order they run. */
export const TRANSFORM_IDS = ['sync-to-async', 'redis-manager', 'redis-timeouts', 'add-missing-await', 'then-to-await'] as const;

export type TransformId = (typeof TRANSFORM_IDS)[number];

/**
 * The version of the `--json` report's shape. It goes up by one whenever a field is removed or
 * changes its meaning; new fields may appear without a bump.
 */
export const REPORT_SCHEMA_VERSION = 1;

/**
 * One edit the codemod made (or would make in a dry run). Paths are relative to the project root;
 * `line` and `column` (both 1-based, the column in UTF-16 code units as editors and ESLint count)
 * point into the file as it is on disk before the run, whichever transform made the change.
 */
export interface ChangeRecord {
  file: string;
  line: number;
  column: number;
  transform: TransformId;
  description: string;
}

/** A place where a transform stopped on purpose, with the reason; the code there stays as it was (line and column on disk). */
export interface StopRecord {
  file: string;
  line: number;
  column: number;
  transform: TransformId;
  reason: string;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface DiagnosticRecord {
  file: string;
  line: number;
  code: number;
  message: string;
}

/**
 * A change chain undone because the edited program gained a TypeScript diagnostic. `file`, `line`
 * and `column` are its first change on disk; the diagnostics' lines are in the edited text.
 */
export interface RolledBackChain {
  transform: TransformId;
  file: string;
  line: number;
  column: number;
  description: string;
  diagnostics: DiagnosticRecord[];
}

export interface FileResult {
  file: string;
  before: string;
  after: string;
}

/** What the codemod judged the project to be, and how it loaded it. */
export interface ProjectReport {
  /** `application`: its exports convert with their callers; `library`: exports are public API. */
  kind: 'application' | 'library';
  /** Why, e.g. "application: package.json is private". */
  kindReason: string;
  /** Whether exported functions and members were converted, and why. */
  exports: string;
  /** The tsconfig used, or how the configuration was inferred. */
  config: string;
  /** Where the types of Node's core modules came from. */
  nodeTypes: string;
  /** Source files in the program (declarations and node_modules not counted). */
  files: number;
  /** Source files left out on purpose, with the reason. */
  excluded: SkippedFile[];
  /** Files read for their calls but never edited (extensionless entry scripts), with the reason. */
  readOnly: SkippedFile[];
}

/** A chain the behaviour gate rolled back because the project's own tests regressed with it. */
export interface VerifyRollback {
  transform: TransformId;
  file: string;
  line: number;
  column: number;
  description: string;
  /** Tests that failed with this chain and passed without it (empty when the output named none). */
  failingTests: string[];
  /** Why the run with this chain counts as a regression (new failures, exit code, time limit). */
  why: string;
  /** The end of the test output when no test names could be read from it. */
  outputTail?: string;
}

/** What the behaviour gate (`--verify`) did; `checked: 'types'` without it. */
export type BehaviourReport =
  | { checked: 'types'; note: string }
  | {
    checked: 'tests';
    command: string;
    /** The baseline run: exit code and the tests that already failed before any edit. */
    baseline: { exitCode: number | null; failingTests: string[]; timedOut: boolean };
    /** How many times the command ran (baseline, after, bisection, confirmation). */
    runs: number;
    rolledBack: VerifyRollback[];
    note: string;
  };

export interface CodemodReport {
  /** Absolute, real path of the project root every `file` is relative to. */
  root: string;
  project: ProjectReport;
  behaviour: BehaviourReport;
  changes: ChangeRecord[];
  stops: StopRecord[];
  skipped: SkippedFile[];
  diagnosticsRolledBack: RolledBackChain[];
  /** Every file whose text changes, with the text before and after. */
  files: FileResult[];
  /** Files written to disk (empty in a dry run). */
  written: string[];
}
