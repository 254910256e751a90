// Only the processing module (not the package index, which loads LlamaIndex): this runs in a
// fresh worker thread and should start fast.
import { processDocuments, type DocumentToProcess, type ProcessedBatch, type ProcessOptions } from '@asyncguard-examples/kb-shared/processing';

/** Runs in a worker thread (see `createDocumentProcessor`): plain data in, plain data out. */
export default function processDocumentsTask(documents: DocumentToProcess[], options: ProcessOptions): ProcessedBatch {
  return processDocuments(documents, options);
}
