/** The transforms this codemod knows, in the order they run. */
export const TRANSFORM_IDS = ['sync-to-async', 'redis-manager', 'redis-timeouts', 'add-missing-await', 'then-to-await'] as const;

export type TransformId = (typeof TRANSFORM_IDS)[number];

/** One edit the codemod made (or would make in a dry run). Paths are relative to the project root. */
export interface ChangeRecord {
  file: string;
  line: number;
  transform: TransformId;
  description: string;
}

/** A place where a transform stopped on purpose, with the reason; the code there stays as it was. */
export interface StopRecord {
  file: string;
  line: number;
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

/** A change chain undone because the edited program gained a TypeScript diagnostic. */
export interface RolledBackChain {
  transform: TransformId;
  file: string;
  line: number;
  description: string;
  diagnostics: DiagnosticRecord[];
}

export interface FileResult {
  file: string;
  before: string;
  after: string;
}

export interface CodemodReport {
  /** Absolute, real path of the project root every `file` is relative to. */
  root: string;
  changes: ChangeRecord[];
  stops: StopRecord[];
  skipped: SkippedFile[];
  diagnosticsRolledBack: RolledBackChain[];
  /** Every file whose text changes, with the text before and after. */
  files: FileResult[];
  /** Files written to disk (empty in a dry run). */
  written: string[];
}
