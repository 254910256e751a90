import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Project, ts } from 'ts-morph';
import { CodemodInputError } from './CodemodInputError.js';
import { isWorkingTreeDirty } from './isWorkingTreeDirty.js';
import { ImportPlanner } from './ImportPlanner.js';
import {
  TRANSFORM_IDS, type CodemodReport, type DiagnosticRecord, type FileResult, type RolledBackChain, type TransformId,
} from './report.js';
import { applyEdits, type TextEdit } from './textEdit.js';
import { TRANSFORMS } from './transforms/index.js';
import type { ChangeChain, TransformContext } from './transforms/Transform.js';
import { writeFilesAtomically } from './writeFilesAtomically.js';

export interface CodemodOptions {
  /** A tsconfig.json path, a directory holding one, or a ts-morph Project (left as it was after a dry run). */
  project: string | Project;
  /** Only files under these paths are edited (default: the whole project). Relative to `cwd`. */
  paths?: readonly string[];
  /** Transform ids to run, in the canonical order (default: all). */
  transforms?: readonly TransformId[];
  /** Write the edited files (default false: a dry run). */
  write?: boolean;
  /** forEach/map callbacks that become async run under Promise.all instead of a sequential for…of. */
  parallelCallbacks?: boolean;
  /** Also convert exported functions and members (their outside callers would have to await them). */
  includeExports?: boolean;
  /** What to do with a possible caller found through an untyped receiver (default 'update'; see TransformOptions). */
  untypedReceivers?: 'update' | 'stop';
  /** Write even when the git working tree has uncommitted changes. */
  allowDirty?: boolean;
  /** Directory relative paths are resolved from (default: process.cwd()). */
  cwd?: string;
  /** Project root when `project` is a Project instance (default: the directory of its tsconfig). */
  root?: string;
  onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  phase: 'load' | 'analyse' | 'verify' | 'write';
  transform?: TransformId;
  done: number;
  total: number;
}

interface LoadedProject {
  project: Project;
  root: string;
  owned: boolean;
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
  const loaded = await loadProject(options.project, cwd, options.root);
  const { project, root } = loaded;
  const selection = realPaths.map((real, i) => {
    if (!isUnder(real, root)) throw new CodemodInputError('paths', `${options.paths![i]} is outside the project root ${root}`);
    return real;
  });
  if (options.write === true && options.allowDirty !== true && (await isWorkingTreeDirty(root))) {
    throw new CodemodInputError('allowDirty', `refusing to write: the git working tree at ${root} has uncommitted changes; commit them first or pass --allow-dirty`);
  }
  const progress = options.onProgress ?? (() => {});
  const rel = (fileName: string): string => relative(root, fileName).split(sep).join('/');

  const report: CodemodReport = { root, changes: [], stops: [], skipped: [], diagnosticsRolledBack: [], files: [], written: [] };
  const reasons = new Map<string, string>();
  const original = new Map<string, string>();
  const sourceFiles = project.getSourceFiles();
  const fileReasons = await Promise.all(sourceFiles.map((file) => notEditableReason(file.compilerNode, root, selection)));
  for (const [index, file] of sourceFiles.entries()) {
    const fileName = file.getFilePath();
    const reason = fileReasons[index];
    if (reason !== undefined) {
      reasons.set(fileName, reason);
      const selected = selection.length === 0 || selection.some((s) => isUnder(fileName, s));
      if (selected && (reason.startsWith('syntax') || reason.startsWith('symlink'))) report.skipped.push({ file: rel(fileName), reason });
    }
  }
  const current = (fileName: string): string => project.getSourceFileOrThrow(fileName).getFullText();
  const touched = new Set<string>();

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
      options: { parallelCallbacks: options.parallelCallbacks === true, includeExports: options.includeExports === true, untypedReceivers: options.untypedReceivers },
      relative: rel,
    };
    const result = TRANSFORMS[id].run(context);
    const lineAt = (fileName: string, pos: number): number => {
      const sf = program.getSourceFile(fileName);
      return sf ? sf.getLineAndCharacterOfPosition(pos).line + 1 : 0;
    };
    for (const stop of result.stops) report.stops.push({ file: rel(stop.file), line: lineAt(stop.file, stop.pos), transform: id, reason: stop.reason });
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
    let active = dropConflicts(result.chains, id, report.diagnosticsRolledBack, rel, lineAt);
    let accepted = false;
    for (let round = 0; round < MAX_VERIFY_ROUNDS && active.length > 0; round++) {
      progress({ phase: 'verify', transform: id, done: round, total: MAX_VERIFY_ROUNDS });
      const fileEdits = materialize(active, bySource, planner);
      for (const [fileName, text] of base) {
        const edits = fileEdits.get(fileName);
        const next = edits ? applyEdits(text, edits) : text;
        if (next !== current(fileName)) project.getSourceFileOrThrow(fileName).replaceWithText(next);
        if (next !== text) touched.add(fileName);
      }
      const after = project.getProgram().compilerObject;
      const diagnostics = collectDiagnostics(after, scope);
      const added = baseline.newDiagnostics(diagnostics);
      // What the type checker can't see (floating promises in JavaScript): the transform's own check.
      const problems = added.length > 0 ? [] : result.verify?.(after, active, (f, pos) => toOriginalPosition(pos, fileEdits.get(f) ?? [])) ?? [];
      if (added.length === 0 && problems.length === 0) {
        accepted = true;
        break;
      }
      for (const problem of problems) {
        const first = problem.chain.changes[0];
        const line = after.getSourceFile(problem.file)?.getLineAndCharacterOfPosition(problem.pos).line ?? -1;
        report.diagnosticsRolledBack.push({
          transform: id, file: first ? rel(first.file) : '', line: first ? lineAt(first.file, first.pos) : 0, description: first?.description ?? 'change',
          diagnostics: [{ file: rel(problem.file), line: line + 1, code: 0, message: problem.reason }],
        });
      }
      if (problems.length > 0) {
        active = active.filter((chain) => !problems.some((problem) => problem.chain === chain));
        continue;
      }
      const blamed = new Map<ChangeChain, ts.Diagnostic[]>();
      for (const diagnostic of added) {
        for (const chain of blame(diagnostic, active, fileEdits)) {
          let list = blamed.get(chain);
          if (list === undefined) blamed.set(chain, (list = []));
          list.push(diagnostic);
        }
      }
      for (const [chain, diags] of blamed) {
        const first = chain.changes[0];
        report.diagnosticsRolledBack.push({
          transform: id,
          file: first ? rel(first.file) : '',
          line: first ? lineAt(first.file, first.pos) : 0,
          description: first?.description ?? 'change',
          diagnostics: diags.map((d) => toRecord(d, rel)),
        });
      }
      active = active.filter((chain) => !blamed.has(chain));
    }
    if (!accepted) {
      for (const chain of active) {
        const first = chain.changes[0];
        report.diagnosticsRolledBack.push({
          transform: id, file: first ? rel(first.file) : '', line: first ? lineAt(first.file, first.pos) : 0,
          description: first?.description ?? 'change', diagnostics: [],
        });
      }
      for (const [fileName, text] of base) {
        if (current(fileName) !== text) project.getSourceFileOrThrow(fileName).replaceWithText(text);
      }
      continue;
    }
    for (const chain of active) {
      for (const change of chain.changes) {
        report.changes.push({ file: rel(change.file), line: lineAt(change.file, change.pos), transform: id, description: change.description });
      }
    }
  }

  for (const fileName of touched) {
    const before = original.get(fileName)!;
    const after = current(fileName);
    if (before !== after) report.files.push({ file: rel(fileName), before, after } satisfies FileResult);
  }
  report.files.sort((a, b) => a.file.localeCompare(b.file));
  report.changes.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);

  if (options.write === true && report.files.length > 0) {
    progress({ phase: 'write', done: 0, total: report.files.length });
    await writeFilesAtomically(root, report.files.map((f) => ({ path: resolve(root, f.file), text: f.after })));
    report.written = report.files.map((f) => f.file);
  }
  if (!loaded.owned && options.write !== true) {
    for (const [fileName, text] of original) project.getSourceFileOrThrow(fileName).replaceWithText(text);
  }
  return report;
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

async function loadProject(projectOption: string | Project, cwd: string, rootOption: string | undefined): Promise<LoadedProject> {
  if (projectOption instanceof Project) {
    const configPath = projectOption.getCompilerOptions().configFilePath;
    const root = rootOption ?? (typeof configPath === 'string' ? dirname(configPath) : cwd);
    return { project: projectOption, root: await realpath(root), owned: false };
  }
  if (typeof projectOption !== 'string' || projectOption === '') {
    throw new CodemodInputError('project', 'must be a tsconfig.json path or a directory holding one');
  }
  let configPath = resolve(cwd, projectOption);
  let stats;
  try {
    stats = await stat(configPath);
  } catch {
    throw new CodemodInputError('project', `${configPath} does not exist`);
  }
  if (stats.isDirectory()) {
    configPath = resolve(configPath, 'tsconfig.json');
    try {
      await stat(configPath);
    } catch {
      throw new CodemodInputError('project', `no tsconfig.json in ${dirname(configPath)}`);
    }
  }
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error !== undefined) {
    throw new CodemodInputError('project', `can't read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
  }
  let project: Project;
  try {
    project = new Project({ tsConfigFilePath: configPath });
  } catch (error) {
    throw new CodemodInputError('project', `can't load ${configPath}: ${(error as Error).message}`);
  }
  return { project, root: await realpath(dirname(configPath)), owned: true };
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
  const parse = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const first = parse[0];
  if (first !== undefined) {
    const line = first.start !== undefined ? sf.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
    return `syntax errors (line ${line}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}); nothing is written for it`;
  }
  return undefined;
}

function chainFiles(chain: ChangeChain): Set<string> {
  const files = new Set<string>();
  for (const edit of chain.edits) files.add(edit.file);
  for (const need of chain.needs) files.add(need.file);
  return files;
}

/** Drops chains whose edits overlap an earlier chain's (reported as rolled back). */
function dropConflicts(
  chains: ChangeChain[], id: TransformId, rolledBack: RolledBackChain[], rel: (f: string) => string,
  lineAt: (f: string, pos: number) => number,
): ChangeChain[] {
  const accepted: ChangeChain[] = [];
  const byFile = new Map<string, TextEdit[]>();
  for (const chain of chains) {
    const clash = chain.edits.some((edit) => (byFile.get(edit.file) ?? []).some((other) => overlaps(edit, other)));
    if (clash) {
      const first = chain.changes[0];
      rolledBack.push({
        transform: id, file: first ? rel(first.file) : '', line: first ? lineAt(first.file, first.pos) : 0,
        description: `${first?.description ?? 'change'} (its edits overlap another change; run the codemod again)`, diagnostics: [],
      });
      continue;
    }
    accepted.push(chain);
    for (const edit of chain.edits) {
      let list = byFile.get(edit.file);
      if (list === undefined) byFile.set(edit.file, (list = []));
      list.push(edit);
    }
  }
  return accepted;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.pos === b.pos && a.end === b.end && a.text === b.text) return false;
  if (a.end > a.pos && b.end > b.pos) return Math.max(a.pos, b.pos) < Math.min(a.end, b.end);
  if (a.end > a.pos) return b.pos > a.pos && b.pos < a.end;
  if (b.end > b.pos) return a.pos > b.pos && a.pos < b.end;
  return false;
}

function materialize(active: readonly ChangeChain[], sources: Map<string, ts.SourceFile>, planner: ImportPlanner): Map<string, TextEdit[]> {
  const edits = new Map<string, TextEdit[]>();
  const needs = new Map<string, ChangeChain['needs']>();
  for (const chain of active) {
    for (const edit of chain.edits) {
      let list = edits.get(edit.file);
      if (list === undefined) edits.set(edit.file, (list = []));
      list.push(edit);
    }
    for (const need of chain.needs) {
      let list = needs.get(need.file);
      if (list === undefined) needs.set(need.file, (list = []));
      list.push(need);
    }
  }
  for (const [fileName, list] of needs) {
    const sf = sources.get(fileName);
    if (sf === undefined) continue;
    let fileEdits = edits.get(fileName);
    if (fileEdits === undefined) edits.set(fileName, (fileEdits = []));
    fileEdits.push(...planner.materialize(sf, list));
  }
  return edits;
}

function collectDiagnostics(program: ts.Program, scope: ReadonlySet<string> | undefined): ts.Diagnostic[] {
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (scope === undefined) return [...diagnostics, ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  for (const fileName of scope) {
    const sf = program.getSourceFile(fileName);
    if (sf === undefined) continue;
    diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  return diagnostics;
}

/**
 * The edited files plus every file that imports one of them (ESM, CommonJS require, re-exports,
 * dynamic import). Undefined (check everything) when an edited file is a global script.
 */
function affectedFiles(program: ts.Program, edited: ReadonlySet<string>): Set<string> | undefined {
  const scope = new Set(edited);
  for (const fileName of edited) {
    const sf = program.getSourceFile(fileName);
    if (sf === undefined || !ts.isExternalModule(sf) && !/\.c?js$/.test(fileName)) return undefined;
  }
  const checker = program.getTypeChecker();
  for (const sf of program.getSourceFiles()) {
    if (scope.has(sf.fileName) || sf.isDeclarationFile || program.isSourceFileDefaultLibrary(sf)) continue;
    if (/[\\/]node_modules[\\/]/.test(sf.fileName)) continue;
    const visit = (node: ts.Node): boolean => {
      let specifier: ts.Expression | undefined;
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) specifier = node.moduleSpecifier;
      else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) specifier = node.moduleReference.expression;
      else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0]!) &&
        ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword)) {
        specifier = node.arguments[0];
      }
      if (specifier !== undefined) {
        const target = checker.getSymbolAtLocation(specifier)?.valueDeclaration;
        if (target && ts.isSourceFile(target) && edited.has(target.fileName)) return true;
      }
      return ts.forEachChild(node, visit) ?? false;
    };
    if (visit(sf)) scope.add(sf.fileName);
  }
  return scope;
}

function diagnosticKey(d: ts.Diagnostic): string {
  return `${d.file?.fileName ?? ''}\0${d.code}\0${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}

/** Diagnostics of the program before a transform's edits, per file, computed on demand. */
class Baseline {
  private readonly perFile = new Map<string, Map<string, number>>();

  constructor(private readonly program: ts.Program) {}

  private counts(fileName: string): Map<string, number> {
    let counts = this.perFile.get(fileName);
    if (counts === undefined) {
      const sf = this.program.getSourceFile(fileName);
      const diagnostics = fileName === ''
        ? [...this.program.getOptionsDiagnostics(), ...this.program.getGlobalDiagnostics()]
        : sf ? [...this.program.getSyntacticDiagnostics(sf), ...this.program.getSemanticDiagnostics(sf)] : [];
      counts = new Map();
      for (const d of diagnostics) counts.set(diagnosticKey(d), (counts.get(diagnosticKey(d)) ?? 0) + 1);
      this.perFile.set(fileName, counts);
    }
    return counts;
  }

  /** The diagnostics of the edited program that the unedited one did not have. */
  newDiagnostics(diagnostics: readonly ts.Diagnostic[]): ts.Diagnostic[] {
    const left = new Map<string, Map<string, number>>();
    const added: ts.Diagnostic[] = [];
    for (const d of diagnostics) {
      const fileName = d.file?.fileName ?? '';
      let counts = left.get(fileName);
      if (counts === undefined) left.set(fileName, (counts = new Map(this.counts(fileName))));
      const key = diagnosticKey(d);
      const n = counts.get(key) ?? 0;
      if (n > 0) counts.set(key, n - 1);
      else added.push(d);
    }
    return added;
  }
}

/** The chains to undo for a new diagnostic: the one with the nearest edit in its file, else all. */
function blame(diagnostic: ts.Diagnostic, active: readonly ChangeChain[], fileEdits: Map<string, TextEdit[]>): ChangeChain[] {
  const fileName = diagnostic.file?.fileName;
  const start = diagnostic.start;
  if (fileName === undefined || start === undefined) return [...active];
  const edits = fileEdits.get(fileName);
  const candidates = active.filter((c) => c.edits.some((e) => e.file === fileName));
  if (edits === undefined || candidates.length === 0) return [...active];
  const pos = toOriginalPosition(start, edits);
  let best: ChangeChain | undefined;
  let bestDistance = Infinity;
  for (const chain of candidates) {
    for (const edit of chain.edits) {
      if (edit.file !== fileName) continue;
      const distance = pos < edit.pos ? edit.pos - pos : pos > edit.end ? pos - edit.end : 0;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = chain;
      }
    }
  }
  return best ? [best] : [...active];
}

function toOriginalPosition(newPos: number, edits: readonly TextEdit[]): number {
  const sorted = [...edits].sort((a, b) => a.pos - b.pos || a.rank - b.rank);
  let delta = 0;
  for (const edit of sorted) {
    const newStart = edit.pos + delta;
    if (newPos < newStart) return newPos - delta;
    if (newPos < newStart + edit.text.length) return edit.pos;
    delta += edit.text.length - (edit.end - edit.pos);
  }
  return newPos - delta;
}

function toRecord(d: ts.Diagnostic, rel: (f: string) => string): DiagnosticRecord {
  const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
  return { file: d.file ? rel(d.file.fileName) : '', line, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') };
}
