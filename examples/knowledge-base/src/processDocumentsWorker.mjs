// Worker-thread entry of the document processor (see createDocumentProcessor.ts). Plain
// JavaScript because a worker thread does not inherit the main thread's TypeScript loader: it
// loads the TypeScript tasks through tsx's scoped `tsImport`, once per worker.
import { tsImport } from 'tsx/esm/api';

const tasks = await tsImport('./processDocumentsTask.ts', import.meta.url);

export default tasks.default;
export const signDocumentsTask = tasks.signDocumentsTask;
export const nearDuplicateMaskTask = tasks.nearDuplicateMaskTask;
