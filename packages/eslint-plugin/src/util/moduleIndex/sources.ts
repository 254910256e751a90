import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as ts from 'typescript';

/** TypeScript, when the project (or the plugin's peer) has it; null otherwise. Loaded on first use. */
let typescript: typeof ts | null | undefined;

export function loadTypeScript(): typeof ts | null {
  if (typescript !== undefined) return typescript;
  typescript = null;
  for (const from of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      const candidate = createRequire(from)('typescript') as typeof ts;
      // The index uses TypeScript ≥ 4.9's factory guards (getModifiers, isSatisfiesExpression).
      if (typeof candidate.getModifiers !== 'function' || typeof candidate.isSatisfiesExpression !== 'function') continue;
      typescript = candidate;
      break;
    } catch {
      // Not resolvable from here: try the next place.
    }
  }
  return typescript;
}

/** Files above this size are not parsed: the index learns nothing from them. */
export const MAX_FILE_BYTES = 1_000_000;
/** At most this many parsed modules are kept; the oldest are dropped first. */
export const MAX_CACHED_MODULES = 2_000;

export interface ParsedModule {
  readonly path: string;
  readonly source: ts.SourceFile;
  /** Per-module memo for the evaluator; dropped with the module. */
  readonly memo: Map<ts.Node, unknown>;
}

interface Entry {
  mtimeMs: number;
  size: number;
  module: ParsedModule | null;
  /** The check generation in which the file's mtime was last compared. */
  checked: number;
}

/**
 * Parses each module once per process and keeps it while its size and mtime stay the same.
 * ESLint lints many files in one process, so the cache is module-level. TypeScript's parser alone
 * (no program, no binder) is several times cheaper than building an ESTree.
 */
export class SourceCache {
  readonly #entries = new Map<string, Entry>();
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }
  /** How many files were parsed (for tests and measurements). */
  parses = 0;

  /** Starts a new check generation: files are stat-ed again at most once per generation. */
  nextGeneration(): void {
    this.#generation++;
  }

  get(path: string): ParsedModule | null {
    const entry = this.#entries.get(path);
    if (entry && entry.checked === this.#generation) return entry.module;
    let stat;
    try {
      stat = statSync(path, { throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    if (!stat || !stat.isFile()) {
      this.#entries.delete(path);
      return null;
    }
    if (entry && entry.mtimeMs === stat.mtimeMs && entry.size === stat.size) {
      entry.checked = this.#generation;
      return entry.module;
    }
    const module = stat.size > MAX_FILE_BYTES ? null : this.#parse(path);
    // A changed module can change what others were found to be: forget every module's memo.
    if (entry) for (const e of this.#entries.values()) e.module?.memo.clear();
    this.#entries.delete(path);
    this.#entries.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, module, checked: this.#generation });
    if (this.#entries.size > MAX_CACHED_MODULES) this.#entries.delete(this.#entries.keys().next().value!);
    return module;
  }

  clear(): void {
    this.#entries.clear();
  }

  #parse(path: string): ParsedModule | null {
    const tsModule = loadTypeScript();
    if (!tsModule) return null;
    try {
      const text = readFileSync(path, 'utf8');
      this.parses++;
      const kind = /\.[cm]?tsx$|\.jsx$/.test(path) ? tsModule.ScriptKind.TSX : /\.[cm]?ts$/.test(path) ? tsModule.ScriptKind.TS : tsModule.ScriptKind.JS;
      // JSDoc is never read: skip parsing it (TypeScript ≥ 5.3 honours the mode; older ones ignore it).
      const options = { languageVersion: tsModule.ScriptTarget.Latest, jsDocParsingMode: 1 /* JSDocParsingMode.ParseNone */ } as ts.CreateSourceFileOptions;
      const source = tsModule.createSourceFile(path, text, options, true, kind);
      return { path, source, memo: new Map() };
    } catch {
      return null;
    }
  }
}
