import { entrySourceFiles } from './project/entrySourceFiles.js';
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Project, ts } from 'ts-morph';
import { CodemodInputError } from './CodemodInputError.js';
import { isWorkingTreeDirty } from './isWorkingTreeDirty.js';
import { chainFiles, dropConflicts, materialize, type ChainLocation } from './chains.js';
import { ImportPlanner } from './ImportPlanner.js';
import { entryScriptOf, programEntries } from './project/entryScripts.js';
import { readPackageJson } from './project/packageJson.js';
import { readOnlyReason } from './readOnly.js';
import { loadProject } from './project/loadProject.js';
import { projectDirectory } from './project/projectDirectory.js';
import { summarize, type ProjectModel } from './project/ProjectModel.js';
import {
  TRANSFORM_IDS, type CodemodReport, type FileResult, type ProjectReport, type VerifyRollback, type TransformId,
} from './report.js';
import { applyEdits, type TextEdit } from './textEdit.js';
import { TRANSFORMS } from './transforms/index.js';
import { affectedFiles, Baseline, blame, collectDiagnostics, originalPositions, toRecord } from './typeCheck.js';
import type { ChangeChain, TransformContext } from './transforms/Transform.js';
import { verifyChains } from './verify/verifyChains.js';
import { VerifyGate, type VerifyOptions } from './verify/VerifyGate.js';
import { writeFilesAtomically } from './writeFilesAtomically.js';

export interface CodemodOptions {
  /**
   * The project directory (its tsconfig.json is used as is; without one the configuration is
   * inferred from package.json and the files), a tsconfig.json path, or a ts-morph Project (left
   * as it was after a dry run).
   */
  project: string | Project;
  /** Only files under these paths are edited (default: the whole project). Relative to `cwd`. */
  paths?: readonly string[];
  /** Transform ids to run, in the canonical order (default: all). */
  transforms?: readonly TransformId[];
  /** Write the edited files (default false: a dry run). */
  write?: boolean;
  /** forEach/map callbacks that become async run under Promise.all instead of a sequential for…of. */
  parallelCallbacks?: boolean;
  /**
   * Convert exported functions and members too (their outside callers would have to await them).
   * Default: yes in an application (a private or bin-only package nobody imports), no in a library.
   */
  includeExports?: boolean;
  /** What to do with a possible caller found through an untyped receiver (default 'update'; see TransformOptions). */
  untypedReceivers?: 'update' | 'stop';
  /** Write even when the git working tree has uncommitted changes. */
  allowDirty?: boolean;
  /** Directory relative paths are resolved from (default: process.cwd()). */
  cwd?: string;
  /** Project root when `project` is a Project instance (default: the directory of its tsconfig). */
  root?: string;
  /**
   * The behaviour gate: run the project's own test command before the edits and after them (on a
   * temporary copy of the project), and roll back the change chains that make it regress.
   */
  verify?: VerifyOptions;
  onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  /** `verify`: type-check rounds; `test`: runs of the project's test command (`verify` option). */
  phase: 'load' | 'analyse' | 'verify' | 'test' | 'write';
  transform?: TransformId;
  done: number;
  total: number;
}

const MAX_VERIFY_ROUNDS = 6;

/**
 * Runs the selected transforms over a project: analyses everything first, then edits text spans,
 * type-checks the edited program and rolls back every change chain that adds a diagnostic, and
 * (with `write`) writes the files atomically at the very end.
 */
export async function runCodemod(options: CodemodOptions): Promise<CodemodReport> {
  const cwd = options.cwd ?? process.cwd();
  const transformIds = checkTransforms(options.transforms);
  const realPaths = await Promise.all((options.paths ?? []).map((p) => existingPath(p, cwd)));
  // Before the project is loaded (seconds on a large one): a refusal should come at once.
  if (options.write === true && options.allowDirty !== true) {
    const dir = await projectDirectory(options.project, cwd, options.root);
    if (dir !== undefined && (await isWorkingTreeDirty(dir))) {
      throw new CodemodInputError('allowDirty', `refusing to write: the git working tree at ${dir} has uncommitted changes; commit them first or pass --allow-dirty`);
    }
  }
  const loaded = await loadProject(options.project, cwd, options.root);
  const { project, root } = loaded;
  const includeExports = options.includeExports ?? loaded.kind.kind === 'application';
  const entries = programEntries(root, await readPackageJson(root));
  const publicEntries = includeExports ? undefined : entrySourceFiles(loaded.kind.entries, project.getProgram().compilerObject);
  const selection = realPaths.map((real, i) => {
    if (!isUnder(real, root)) throw new CodemodInputError('paths', `${options.paths![i]} is outside the project root ${root}`);
    return real;
  });
  const progress = options.onProgress ?? (() => {});
  const rel = (fileName: string): string => entryScriptOf(fileName, root) ?? relative(root, fileName).split(sep).join('/');

  const report: CodemodReport = {
    root, project: projectReport(loaded, includeExports, options.includeExports, publicEntries), behaviour: TYPES_ONLY,
    changes: [], stops: [], skipped: [], diagnosticsRolledBack: [], files: [], written: [],
  };
  const reasons = new Map<string, string>();
  const original = new Map<string, string>();
  const sourceFiles = project.getSourceFiles();
  const fileReasons = await Promise.all(sourceFiles.map((file) => {
    const script = entryScriptOf(file.getFilePath(), root);
    return script !== undefined ? Promise.resolve('an entry script without a .js extension: read only') : notEditableReason(file.compilerNode, root, selection);
  }));
  for (const [index, file] of sourceFiles.entries()) {
    const fileName = file.getFilePath();
    const reason = fileReasons[index];
    if (reason !== undefined) {
      reasons.set(fileName, reason);
      const selected = selection.length === 0 || selection.some((s) => isUnder(fileName, s));
      if (selected && (reason.startsWith('syntax') || reason.startsWith('symlink') || reason.startsWith('read-only'))) report.skipped.push({ file: rel(fileName), reason });
    }
  }
  const current = (fileName: string): string => project.getSourceFileOrThrow(fileName).getFullText();
  // A fresh parse of the whole text (the same SourceFile wrapper, its old child wrappers forgotten):
  // replaceWithText would run the text through ts-morph's code writer and ask the language
  // service (a second program) for indentation, costing seconds per round on a large file.
  const setText = (fileName: string, text: string): void => {
    project.createSourceFile(fileName, text, { overwrite: true });
  };
  const touched = new Set<string>();
  // The edits each earlier transform left in a file, in order: a position in a later transform's
  // text maps back through them to the file on disk, whose line and column the report gives.
  const layers = new Map<string, TextEdit[][]>();
  const lineStarts = new Map<string, number[]>();
  // Each layer's position map is built once (edits sorted once), then each change is a binary search.
  const layerMaps = new WeakMap<readonly TextEdit[], (pos: number) => number>();
  const mapBack = (edits: readonly TextEdit[], pos: number): number => {
    let map = layerMaps.get(edits);
    if (map === undefined) layerMaps.set(edits, (map = originalPositions(edits)));
    return map(pos);
  };
  const locate = (fileName: string, pos: number): { line: number; column: number } => {
    let at = pos;
    const applied = layers.get(fileName) ?? [];
    for (let i = applied.length - 1; i >= 0; i--) at = mapBack(applied[i]!, at);
    let starts = lineStarts.get(fileName);
    if (starts === undefined) lineStarts.set(fileName, (starts = lineStartsOf(original.get(fileName) ?? current(fileName))));
    let line = 0;
    for (let lo = 0, hi = starts.length - 1; lo <= hi;) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= at) {
        line = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return { line: line + 1, column: at - starts[line]! + 1 };
  };

  const behaviourRolledBack: VerifyRollback[] = [];
  const gate = options.verify !== undefined ? await VerifyGate.create(root, options.verify) : undefined;
  try {
    if (gate !== undefined) {
      progress({ phase: 'test', done: 0, total: 1 });
      await gate.runBaseline();
    }
    for (const [index, id] of transformIds.entries()) {
      progress({ phase: 'analyse', transform: id, done: index, total: transformIds.length });
      const program = project.getProgram().compilerObject;
      const checker = program.getTypeChecker();
      const planner = new ImportPlanner(program);
      const files = program.getSourceFiles().filter((sf) => !reasons.has(sf.fileName) && !program.isSourceFileDefaultLibrary(sf) &&
        !/[\\/]node_modules[\\/]/.test(sf.fileName) && project.getSourceFile(sf.fileName) !== undefined);
      const context: TransformContext = {
        ts, project, program, checker, files, planner,
        notEditable: (sf) => reasons.get(sf.fileName) ?? (/[\\/]node_modules[\\/]/.test(sf.fileName) ? 'in node_modules' : program.isSourceFileDefaultLibrary(sf) ? 'TypeScript library' : undefined),
        options: {
          parallelCallbacks: options.parallelCallbacks === true, includeExports, untypedReceivers: options.untypedReceivers,
          ...(publicEntries === undefined ? {} : { publicEntries }),
          programEntries: entries,
        },
        relative: rel,
      };
      const result = TRANSFORMS[id].run(context);
      const where = (chain: ChangeChain): ChainLocation => {
        const first = chain.changes[0];
        return { file: first ? rel(first.file) : '', ...(first ? locate(first.file, first.pos) : { line: 0, column: 0 }), description: first?.description ?? 'change' };
      };
      for (const stop of result.stops) report.stops.push({ file: rel(stop.file), ...locate(stop.file, stop.pos), transform: id, reason: stop.reason });
      if (result.chains.length === 0) continue;

      const base = new Map<string, string>();
      const bySource = new Map<string, ts.SourceFile>();
      for (const chain of result.chains) {
        for (const fileName of chainFiles(chain)) {
          if (!base.has(fileName)) {
            base.set(fileName, current(fileName));
            bySource.set(fileName, program.getSourceFile(fileName)!);
            if (!original.has(fileName)) original.set(fileName, current(fileName));
          }
        }
      }
      // Only files that can see the edits are checked: the edited ones and their direct importers.
      const scope = affectedFiles(program, new Set(base.keys()));
      // The unedited program's diagnostics, computed only for files that show any after the edits
      // (a clean edited program needs no baseline at all).
      const baseline = new Baseline(program);
      let active = dropConflicts(result.chains, id, report.diagnosticsRolledBack, where);
      let accepted = false;
      for (let round = 0; round < MAX_VERIFY_ROUNDS && active.length > 0; round++) {
        progress({ phase: 'verify', transform: id, done: round, total: MAX_VERIFY_ROUNDS });
        const fileEdits = materialize(active, bySource, planner);
        for (const [fileName, text] of base) {
          const edits = fileEdits.get(fileName);
          const next = edits ? applyEdits(text, edits) : text;
          if (next !== current(fileName)) setText(fileName, next);
          if (next !== text) touched.add(fileName);
        }
        const after = project.getProgram().compilerObject;
        const diagnostics = collectDiagnostics(after, scope);
        const mappers = new Map<string, (pos: number) => number>();
        const toOriginal = (f: string, pos: number): number => {
          let map = mappers.get(f);
          if (map === undefined) mappers.set(f, (map = originalPositions(fileEdits.get(f) ?? [])));
          return map(pos);
        };
        const added = baseline.newDiagnostics(diagnostics, toOriginal);
        // What the type checker can't see (floating promises in JavaScript): the transform's own check.
        const problems = added.length > 0 ? [] : result.verify?.(after, active, toOriginal) ?? [];
        if (added.length === 0 && problems.length === 0) {
          accepted = true;
          break;
        }
        for (const problem of problems) {
          const line = after.getSourceFile(problem.file)?.getLineAndCharacterOfPosition(problem.pos).line ?? -1;
          report.diagnosticsRolledBack.push({
            transform: id, ...where(problem.chain),
            diagnostics: [{ file: rel(problem.file), line: line + 1, code: 0, message: problem.reason }],
          });
        }
        if (problems.length > 0) {
          active = active.filter((chain) => !problems.some((problem) => problem.chain === chain));
          continue;
        }
        const blamed = new Map<ChangeChain, ts.Diagnostic[]>();
        for (const diagnostic of added) {
          for (const chain of blame(diagnostic, active, fileEdits, toOriginal)) {
            let list = blamed.get(chain);
            if (list === undefined) blamed.set(chain, (list = []));
            list.push(diagnostic);
          }
        }
        for (const [chain, diags] of blamed) {
          report.diagnosticsRolledBack.push({ transform: id, ...where(chain), diagnostics: diags.map((d) => toRecord(d, rel)) });
        }
        active = active.filter((chain) => !blamed.has(chain));
      }
      if (!accepted) {
        for (const chain of active) report.diagnosticsRolledBack.push({ transform: id, ...where(chain), diagnostics: [] });
        for (const [fileName, text] of base) {
          if (current(fileName) !== text) setText(fileName, text);
        }
        continue;
      }
      if (gate !== undefined) {
        progress({ phase: 'test', transform: id, done: 0, total: 1 });
        const stageTexts = (subset: readonly ChangeChain[]): Map<string, string> => {
          const fileEdits = materialize(subset, bySource, planner);
          const texts = new Map<string, string>();
          for (const [fileName, text] of base) {
            const edits = fileEdits.get(fileName);
            texts.set(fileName, edits ? applyEdits(text, edits) : text);
          }
          return texts;
        };
        const snapshot = (subset: readonly ChangeChain[]): Map<string, string> => {
          const texts = new Map<string, string>();
          for (const fileName of touched) texts.set(fileName, current(fileName));
          for (const [fileName, text] of stageTexts(subset)) texts.set(fileName, text);
          return texts;
        };
        const verdict = await verifyChains(gate, active, snapshot, where);
        if (verdict.rolledBack.length > 0) {
          behaviourRolledBack.push(...verdict.rolledBack);
          active = verdict.kept;
          for (const [fileName, text] of stageTexts(active)) {
            if (text !== current(fileName)) setText(fileName, text);
          }
        }
      }
      for (const chain of active) {
        for (const change of chain.changes) {
          report.changes.push({ file: rel(change.file), ...locate(change.file, change.pos), transform: id, description: change.description });
        }
      }
      for (const [fileName, edits] of materialize(active, bySource, planner)) {
        let list = layers.get(fileName);
        if (list === undefined) layers.set(fileName, (list = []));
        list.push(edits);
      }
    }

    for (const fileName of touched) {
      const before = original.get(fileName)!;
      const after = current(fileName);
      if (before !== after) report.files.push({ file: rel(fileName), before, after } satisfies FileResult);
    }
    report.files.sort((a, b) => a.file.localeCompare(b.file));
    report.changes.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);

    if (options.write === true && report.files.length > 0) {
      progress({ phase: 'write', done: 0, total: report.files.length });
      await writeFilesAtomically(root, report.files.map((f) => ({ path: resolve(root, f.file), text: f.after })));
      report.written = report.files.map((f) => f.file);
    }
    if (!loaded.owned && options.write !== true) {
      for (const [fileName, text] of original) setText(fileName, text);
    }
    if (gate !== undefined) report.behaviour = behaviourReport(gate, behaviourRolledBack);
  } finally {
    await gate?.dispose();
  }
  return report;
}

const TYPES_ONLY: CodemodReport['behaviour'] = { checked: 'types', note: 'behaviour checked only by the type checker (pass --verify "<test command>" to run the project\'s tests)' };

function behaviourReport(gate: VerifyGate, rolledBack: VerifyRollback[]): CodemodReport['behaviour'] {
  const baseline = gate.baseline;
  const failing = baseline.failing.length > 0 ? `; ${baseline.failing.length} test(s) already failed before the edits and were ignored` : '';
  return {
    checked: 'tests', command: gate.command, runs: gate.runs, rolledBack,
    baseline: { exitCode: baseline.exitCode, failingTests: baseline.failing, timedOut: baseline.timedOut },
    note: `behaviour checked by the project's tests ("${gate.command}", ${gate.runs} run(s)): ` +
      (rolledBack.length === 0 ? 'no regression' : `${rolledBack.length} change chain(s) rolled back because tests regressed with them`) + failing,
  };
}

function projectReport(model: ProjectModel, includeExports: boolean, asked: boolean | undefined, entries: ReadonlySet<string> | undefined): ProjectReport {
  const summary = summarize(model);
  const entryList = entries === undefined ? '' : [...entries].map((f) => relative(model.root, f).split(sep).join('/')).join(', ');
  const exports = entries !== undefined
    ? `public API only where the entry modules of its exports map (${entryList}) export them, not converted (pass --include-exports to convert them); other modules' exports are internal: converted with their callers`
    : asked !== undefined
    ? `${includeExports ? 'converted' : 'public API, not converted'} (includeExports: ${String(asked)})`
    : includeExports
      ? 'converted with their callers: nothing outside an application imports them'
      : 'public API, not converted (pass --include-exports to convert them)';
  return { ...summary, exports, excluded: model.excluded, readOnly: model.readOnly };
}

function checkTransforms(ids: readonly TransformId[] | undefined): TransformId[] {
  if (ids === undefined || ids.length === 0) return [...TRANSFORM_IDS];
  for (const id of ids) {
    if (!(TRANSFORM_IDS as readonly string[]).includes(id)) {
      throw new CodemodInputError('transforms', `unknown transform "${String(id)}" (known: ${TRANSFORM_IDS.join(', ')})`);
    }
  }
  return TRANSFORM_IDS.filter((id) => ids.includes(id));
}

async function existingPath(path: string, cwd: string): Promise<string> {
  try {
    return await realpath(resolve(cwd, path));
  } catch {
    throw new CodemodInputError('paths', `${path} does not exist`);
  }
}

function isUnder(path: string, dir: string): boolean {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

async function notEditableReason(sf: ts.SourceFile, root: string, selection: readonly string[]): Promise<string | undefined> {
  const fileName = sf.fileName;
  if (/[\\/]node_modules[\\/]/.test(fileName)) return 'in node_modules';
  if (sf.isDeclarationFile) return '.d.ts declaration file';
  if (!isUnder(fileName, root)) return 'outside the project root';
  if (selection.length > 0 && !selection.some((s) => isUnder(fileName, s))) return 'outside the selected paths';
  try {
    if ((await lstat(fileName)).isSymbolicLink()) return 'symlink: never written through';
    const real = await realpath(fileName);
    if (real !== fileName && !isUnder(real, root)) return 'symlink: resolves outside the project root';
  } catch {
    return 'not on disk';
  }
  const readOnly = await readOnlyReason(fileName);
  if (readOnly !== undefined) return readOnly;
  const parse = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const first = parse[0];
  if (first !== undefined) {
    const line = first.start !== undefined ? sf.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
    return `syntax errors (line ${line}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}); nothing is written for it`;
  }
  return undefined;
}

/** Offsets where each line of `text` starts (after `\n`, `\r\n` or a lone `\r`). */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (ch === 10 || ch === 13) starts.push(i + 1);
  }
  return starts;
}
