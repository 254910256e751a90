// Worker-thread entry of the document processor (see createDocumentProcessor.ts). Plain
// JavaScript because a worker thread does not inherit the main thread's TypeScript loader: it
// loads the TypeScript task through tsx's scoped `tsImport`, once per worker.
import { setPriority } from 'node:os';
import { tsImport } from 'tsx/esm/api';

// Indexing is background work: on Linux, where the nice value is per thread, lower this
// worker's CPU priority so that on a busy machine the main thread (requests) runs first.
// (Elsewhere `setPriority(0, …)` would renice the whole process, so it is left alone.)
if (process.platform === 'linux') {
  try {
    setPriority(0, 5);
  } catch {
    // Not permitted here: run at normal priority.
  }
}

const { default: processDocumentsTask } = await tsImport('./processDocumentsTask.ts', import.meta.url);

export default processDocumentsTask;
