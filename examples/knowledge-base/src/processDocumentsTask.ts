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

/** Runs in a worker thread (see `createDocumentProcessor`): plain data in, plain data out. */
export default function processDocumentsTask(documents: DocumentToProcess[], options: ProcessOptions, nice: number): ProcessedBatch {
  lowerThreadPriority(nice);
  return processDocuments(documents, options);
}

/** Chunks and signs a part of a batch (parts run on several workers at once). */
export function signDocumentsTask(documents: DocumentToProcess[], options: ProcessOptions, nice: number): SignedChunks {
  lowerThreadPriority(nice);
  return signDocuments(documents, options);
}

/** Which chunks of the signed parts to keep (their signatures, in document order). */
export function nearDuplicateMaskTask(signatures: Uint32Array[], options: ProcessOptions, nice: number): Uint8Array {
  lowerThreadPriority(nice);
  return nearDuplicateMask(signatures, options);
}
