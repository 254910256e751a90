import { ts } from 'ts-morph';
import type { DiagnosticRecord } from './report.js';
import type { TextEdit } from './textEdit.js';
import type { ChangeChain } from './transforms/Transform.js';

/** The type-check gate's parts: which files to check, what is new since the baseline, which chain to blame. */

export function collectDiagnostics(program: ts.Program, scope: ReadonlySet<string> | undefined): ts.Diagnostic[] {
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
export function affectedFiles(program: ts.Program, edited: ReadonlySet<string>): Set<string> | undefined {
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
export class Baseline {
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
export function blame(
  diagnostic: ts.Diagnostic, active: readonly ChangeChain[], fileEdits: Map<string, TextEdit[]>,
  toOriginal: (fileName: string, pos: number) => number = (f, pos) => toOriginalPosition(pos, fileEdits.get(f) ?? []),
): ChangeChain[] {
  const fileName = diagnostic.file?.fileName;
  const start = diagnostic.start;
  if (fileName === undefined || start === undefined) return [...active];
  const edits = fileEdits.get(fileName);
  const candidates = active.filter((c) => c.edits.some((e) => e.file === fileName));
  if (edits === undefined || candidates.length === 0) return [...active];
  const pos = toOriginal(fileName, start);
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

export function toOriginalPosition(newPos: number, edits: readonly TextEdit[]): number {
  return originalPositions(edits)(newPos);
}

/**
 * Maps positions in the edited text back to the original one (a position inside inserted text
 * maps to the edit's start). Sorts the edits once; each lookup is a binary search, so checking
 * every node of an edited file costs n log n, not n × edits. An edit asked for twice counts once,
 * as in `applyEdits`.
 */
export function originalPositions(edits: readonly TextEdit[]): (newPos: number) => number {
  const sorted = [...edits].sort((a, b) => a.pos - b.pos || a.rank - b.rank);
  const starts: number[] = []; // where each edit's text starts in the edited text
  const pos: number[] = [];
  const length: number[] = [];
  const deltaAfter: number[] = []; // edited minus original offset after each edit
  let delta = 0;
  let lastKey = '';
  for (const edit of sorted) {
    const key = `${edit.pos}:${edit.end}:${edit.rank}:${edit.text}`;
    if (key === lastKey) continue;
    lastKey = key;
    starts.push(edit.pos + delta);
    pos.push(edit.pos);
    length.push(edit.text.length);
    delta += edit.text.length - (edit.end - edit.pos);
    deltaAfter.push(delta);
  }
  return (newPos) => {
    // The last edit whose text starts at or before newPos.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= newPos) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i < 0) return newPos;
    if (newPos < starts[i]! + length[i]!) return pos[i]!;
    return newPos - deltaAfter[i]!;
  };
}

export function toRecord(d: ts.Diagnostic, rel: (f: string) => string): DiagnosticRecord {
  const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
  return { file: d.file ? rel(d.file.fileName) : '', line, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') };
}
