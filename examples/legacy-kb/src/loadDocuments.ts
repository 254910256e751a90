import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentToProcess } from '@asyncguard-examples/kb-shared';

export class DocumentFileNotFoundError extends Error {
  readonly statusCode = 404;
  constructor(readonly fileName: string) {
    super(`document file not found: ${fileName}`);
    this.name = 'DocumentFileNotFoundError';
  }
}

/** Reads one document file from the documents directory. */
export function readDocumentFile(documentsDir: string, fileName: string): DocumentToProcess {
  const path = join(documentsDir, fileName);
  if (!existsSync(path)) throw new DocumentFileNotFoundError(fileName);
  const text = readFileSync(path, 'utf8');
  return { id: fileName, text, metadata: { file: fileName } };
}

/** Reads every `.txt` file in the documents directory. */
export function loadDocumentsFromDirectory(documentsDir: string): DocumentToProcess[] {
  const names = readdirSync(documentsDir).filter((name) => name.endsWith('.txt')).sort();
  return names.map((name) => readDocumentFile(documentsDir, name));
}
