import type { Project, ts } from 'ts-morph';
import type { ImportPlanner, Need } from '../ImportPlanner.js';
import type { TransformId } from '../report.js';
import type { TextEdit } from '../textEdit.js';

/**
 * The unit of rollback: edits that only make sense together (a sync call, the functions made
 * async because of it, their callers' awaits). If the edited program gains a diagnostic near
 * any of them, the whole chain is undone.
 */
export interface ChangeChain {
  transform: TransformId;
  edits: TextEdit[];
  needs: Need[];
  changes: Array<{ file: string; pos: number; description: string }>;
}

export interface TransformStop {
  file: string;
  pos: number;
  reason: string;
}

/** A chain that must be undone, with the place (in the edited program) and the reason. */
export interface ChainProblem {
  chain: ChangeChain;
  file: string;
  pos: number;
  reason: string;
}

export interface TransformResult {
  chains: ChangeChain[];
  stops: TransformStop[];
  /**
   * Checks the edited program once it type-checks, for what the type checker can't see (e.g. an
   * unawaited call of a function that became async, in JavaScript). `toOriginal` maps a position
   * in an edited file back to the unedited text.
   */
  verify?(program: ts.Program, chains: readonly ChangeChain[], toOriginal: (fileName: string, pos: number) => number): ChainProblem[];
}

export interface TransformOptions {
  parallelCallbacks: boolean;
  includeExports: boolean;
  /**
   * A library whose `exports` map closes it: the source files of its entry modules. Only what they
   * export (directly or re-exported) is public API; other modules' exports are internal. Undefined:
   * every export is public.
   */
  publicEntries?: ReadonlySet<string>;
  /**
   * A call `e.m()` whose receiver has no declared type may call any converted `m`: 'update'
   * awaits it and makes its function async too (default); 'stop' stops the chain there.
   */
  untypedReceivers?: 'update' | 'stop';
  /**
   * package.json `bin` scripts with a JavaScript extension that are not its main (absolute paths):
   * program entries whose CommonJS top level may move into an async main (see entryMain.ts).
   */
  programEntries?: ReadonlySet<string>;
}

export interface TransformContext {
  ts: typeof ts;
  project: Project;
  program: ts.Program;
  checker: ts.TypeChecker;
  /** Files the transform may edit: in the selection, no syntax errors, not declarations, not symlinks. */
  files: readonly ts.SourceFile[];
  /** Why a file can't be edited (undefined when it can). */
  notEditable(file: ts.SourceFile): string | undefined;
  options: TransformOptions;
  /** A file name as the report shows it: relative to the project root. */
  relative(fileName: string): string;
  planner: ImportPlanner;
}

export interface Transform {
  id: TransformId;
  summary: string;
  run(context: TransformContext): TransformResult;
}
