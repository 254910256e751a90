// Worker-thread entry of the document processor (see createDocumentProcessor.ts). Plain
// JavaScript because a worker thread does not inherit the main thread's TypeScript loader: it
// loads the TypeScript task through tsx's scoped `tsImport`, once per worker.
import { tsImport } from 'tsx/esm/api';

const { default: processDocumentsTask } = await tsImport('./processDocumentsTask.ts', import.meta.url);

export default processDocumentsTask;
