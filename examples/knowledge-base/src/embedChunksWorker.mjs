// Worker-thread entry of the embedding half of indexing (see createDocumentProcessor.ts), like
// processDocumentsWorker.mjs: it loads the TypeScript task through tsx's scoped `tsImport`, once
// per worker. A separate entry so that a worker that only chunks never loads LlamaIndex.
import { tsImport } from 'tsx/esm/api';

const { default: embedChunksTask } = await tsImport('./embedChunksTask.ts', import.meta.url);

export default embedChunksTask;
