// Only the processing module (not the package index, which loads LlamaIndex): this runs in a
// fresh worker thread and should start fast.
import {
  nearDuplicateMask,
  processDocuments,
  signDocuments,
  type DocumentToProcess,
  type ProcessedBatch,
  type ProcessOptions,
  type SignedChunks,
} from '@asyncguard-examples/kb-shared/processing';
import { lowerThreadPriority } from './lowerThreadPriority.js';

// This module loads in an indexing worker thread: it yields the CPU to the main thread when both want it.
lowerThreadPriority();

/** Runs in a worker thread (see `createDocumentProcessor`): plain data in, plain data out. */
export default function processDocumentsTask(documents: DocumentToProcess[], options: ProcessOptions): ProcessedBatch {
  return processDocuments(documents, options);
}

/** Chunks and signs a part of a batch (parts run on several workers at once). */
export function signDocumentsTask(documents: DocumentToProcess[], options: ProcessOptions): SignedChunks {
  return signDocuments(documents, options);
}

/** Which chunks of the signed parts to keep (their signatures, in document order). */
export function nearDuplicateMaskTask(signatures: Uint32Array[], options: ProcessOptions): Uint8Array {
  return nearDuplicateMask(signatures, options);
}
