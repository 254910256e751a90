import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { useVisitorKeys } from './ast.js';
import { isAbsolute, resolve } from 'node:path';
import { getBindings, type Bindings } from './bindings.js';
import { CrossFile } from './moduleIndex/estree.js';
import { getModuleIndex } from './moduleIndex/index.js';
import { SyntacticPromises } from './promises.js';
import { ResourceClassifier } from './resources.js';
import { getTypeServices, type TypeServices } from './types.js';

/** Everything the rules know about one file, shared by all rules linting it. */
export interface FileAnalysis {
  readonly bindings: Bindings;
  /** Null when linting without type information. */
  readonly types: TypeServices | null;
  readonly resources: ResourceClassifier;
  readonly syntacticPromises: SyntacticPromises;
  /** What other modules of the project say about this file's bindings; untyped mode only (types know better). */
  readonly crossFile: CrossFile | null;
  /**
   * Whether `node` evaluates to a promise. With types: the type decides (built-in Promise or a
   * subclass); an `any`/`unknown` type falls back to the syntactic answer. Without: syntactic.
   */
  isPromise(node: TSESTree.Node): boolean;
}

const cache = new WeakMap<TSESTree.Program, FileAnalysis>();

export function getAnalysis(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): FileAnalysis {
  const ast = context.sourceCode.ast;
  const cached = cache.get(ast);
  if (cached) return cached;
  useVisitorKeys(context.sourceCode.visitorKeys);
  const bindings = getBindings(context);
  const types = getTypeServices(context);
  const crossFile = types ? null : crossFileFor(context, bindings);
  const resources = new ResourceClassifier(bindings, types, crossFile);
  const syntacticPromises = new SyntacticPromises(bindings, resources, crossFile);
  const analysis: FileAnalysis = {
    bindings,
    types,
    resources,
    syntacticPromises,
    crossFile,
    isPromise(node) {
      if (types) {
        const type = types.typeAt(node);
        if (type && !types.isUnknown(type)) return types.isPromise(type);
      }
      return syntacticPromises.isPromise(node);
    },
  };
  cache.set(ast, analysis);
  return analysis;
}

function crossFileFor(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, bindings: Bindings): CrossFile | null {
  const filename = context.filename;
  if (!filename || filename.startsWith('<')) return null;
  const index = getModuleIndex();
  // Modules are stat-ed again (for a changed mtime) at most once per linted file.
  index.sources.nextGeneration();
  const cwd = (context as { cwd?: string }).cwd ?? process.cwd();
  return new CrossFile(index, bindings, isAbsolute(filename) ? filename : resolve(cwd, filename), context.sourceCode.ast);
}
