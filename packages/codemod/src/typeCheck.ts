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
  private readonly perFile = new Map<string, { counts: Map<string, number>; at: Map<string, number> }>();

  constructor(private readonly program: ts.Program) {}

  private counts(fileName: string): { counts: Map<string, number>; at: Map<string, number> } {
    let entry = this.perFile.get(fileName);
    if (entry === undefined) {
      const sf = this.program.getSourceFile(fileName);
      const diagnostics = fileName === ''
        ? [...this.program.getOptionsDiagnostics(), ...this.program.getGlobalDiagnostics()]
        : sf ? [...this.program.getSyntacticDiagnostics(sf), ...this.program.getSemanticDiagnostics(sf)] : [];
      entry = { counts: new Map(), at: new Map() };
      for (const d of diagnostics) {
        entry.counts.set(diagnosticKey(d), (entry.counts.get(diagnosticKey(d)) ?? 0) + 1);
        if (d.start !== undefined) entry.at.set(positionKey(d.code, d.start), (entry.at.get(positionKey(d.code, d.start)) ?? 0) + 1);
      }
      this.perFile.set(fileName, entry);
    }
    return entry;
  }

  /**
   * The diagnostics of the edited program that the unedited one did not have. A diagnostic counts
   * as old when the unedited program had the same one (file, code, message), or, given
   * `toOriginal`, one with the same code at the same place in the unedited text: a call that
   * already failed to type-check keeps failing after its callee changed, with a reworded message
   * (`readFileSync(p, { encoding: someString })` → `readFile(…)` in checkJs code).
   */
  newDiagnostics(diagnostics: readonly ts.Diagnostic[], toOriginal?: (fileName: string, pos: number) => number): ts.Diagnostic[] {
    const left = new Map<string, { counts: Map<string, number>; at: Map<string, number> }>();
    const unmatched: ts.Diagnostic[] = [];
    const leftOf = (fileName: string): { counts: Map<string, number>; at: Map<string, number> } => {
      let entry = left.get(fileName);
      if (entry === undefined) {
        const base = this.counts(fileName);
        left.set(fileName, (entry = { counts: new Map(base.counts), at: new Map(base.at) }));
      }
      return entry;
    };
    for (const d of diagnostics) {
      const entry = leftOf(d.file?.fileName ?? '');
      const key = diagnosticKey(d);
      const n = entry.counts.get(key) ?? 0;
      if (n > 0) entry.counts.set(key, n - 1);
      else unmatched.push(d);
    }
    if (toOriginal === undefined) return unmatched;
    return unmatched.filter((d) => {
      if (d.file === undefined || d.start === undefined) return true;
      const entry = leftOf(d.file.fileName);
      const key = positionKey(d.code, toOriginal(d.file.fileName, d.start));
      const n = entry.at.get(key) ?? 0;
      if (n === 0) return true;
      entry.at.set(key, n - 1);
      return false;
    });
  }
}

function positionKey(code: number, start: number): string {
  return `${code}@${start}`;
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
