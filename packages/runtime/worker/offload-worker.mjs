// The worker side of `offload()` (@asyncguard/runtime). Plain JavaScript on purpose: it is
// loaded as is from the sources and from the published package, by the ESM and CJS builds.
//
// A task is either { source, args }: a self-contained function's source text, compiled once
// per worker and cached; or { module, exportName, args }: an export of a module, imported
// once per worker. The function is called with the arguments spread and may be async.

const compiled = new Map();
const modules = new Map();
const MAX_COMPILED = 256;

function compile(source) {
  let fn = compiled.get(source);
  if (fn !== undefined) return fn;
  try {
    // Indirect eval: global scope, no access to this module's bindings.
    fn = (0, eval)(`(${source}\n)`);
  } catch (error) {
    throw new SyntaxError(
      `offload: could not compile the function in the worker (${error.message}). Pass an arrow function or a ` +
        'function expression that uses no variables from its surrounding scope, or use { module, export } instead.',
    );
  }
  if (typeof fn !== 'function') throw new TypeError('offload: the source did not evaluate to a function');
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value);
  compiled.set(source, fn);
  return fn;
}

async function load(module, exportName) {
  const namespace = await import(module);
  let fn = namespace[exportName];
  if (typeof fn !== 'function' && exportName === 'default' && typeof namespace.default?.default === 'function') {
    fn = namespace.default.default; // a CJS module compiled from ESM
  }
  if (typeof fn !== 'function') throw new TypeError(`offload: ${module} has no function export "${exportName}"`);
  let exports = modules.get(module);
  if (exports === undefined) modules.set(module, (exports = new Map()));
  exports.set(exportName, fn);
  return fn;
}

export default function runTask(task) {
  if (task.source !== undefined) return compile(task.source)(...task.args);
  // Loaded before: call it synchronously, as piscina would call its own handler.
  const fn = modules.get(task.module)?.get(task.exportName);
  if (fn !== undefined) return fn(...task.args);
  return load(task.module, task.exportName).then((loaded) => loaded(...task.args));
}
