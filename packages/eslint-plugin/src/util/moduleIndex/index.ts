import { ModuleIndex } from './evaluate.js';

export { ModuleIndex, callOf, constructOf, memberOf, methodCall } from './evaluate.js';
export { resolveSpecifier } from './resolve.js';
export type { ClassLike, Value } from './values.js';

/**
 * The module index shared by every file linted in this process (ESLint lints many files in one
 * process): each imported module is parsed once while its mtime and size stay the same.
 */
let shared: ModuleIndex | null = null;

export function getModuleIndex(): ModuleIndex {
  shared ??= new ModuleIndex();
  return shared;
}
