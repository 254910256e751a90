export { runCodemod } from './runCodemod.js';
export type { CodemodOptions, ProgressEvent } from './runCodemod.js';
export { CodemodInputError, isCodemodInputError } from './CodemodInputError.js';
export { UnsafeWriteError } from './writeFilesAtomically.js';
export { REPORT_SCHEMA_VERSION, TRANSFORM_IDS } from './report.js';
export type {
  CodemodReport, ChangeRecord, StopRecord, SkippedFile, RolledBackChain, DiagnosticRecord, FileResult, TransformId,
} from './report.js';
export { unifiedDiff } from './unifiedDiff.js';
export const VERSION = '0.1.0';
export { colorDiff, useColor } from './colorDiff.js';
