import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { useVisitorKeys } from './ast.js';
import { getBindings, type Bindings } from './bindings.js';
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
  const resources = new ResourceClassifier(bindings, types);
  const syntacticPromises = new SyntacticPromises(bindings, resources);
  const analysis: FileAnalysis = {
    bindings,
    types,
    resources,
    syntacticPromises,
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
