import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentToProcess } from '@asyncguard-examples/kb-shared';

export class DocumentFileNotFoundError extends Error {
  override readonly name = 'DocumentFileNotFoundError';
  readonly statusCode = 404;
  constructor(readonly fileName: string) {
    super(`document file not found: ${fileName}`);
  }
}

/** Reads the named files of `documentsDir` concurrently; a missing one is a {@link DocumentFileNotFoundError}. */
export async function readDocumentFiles(documentsDir: string, fileNames: readonly string[], signal?: AbortSignal): Promise<DocumentToProcess[]> {
  return Promise.all(
    fileNames.map(async (fileName) => {
      try {
        const text = await readFile(join(documentsDir, fileName), { encoding: 'utf8', signal });
        return { id: fileName, text, metadata: { file: fileName } };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DocumentFileNotFoundError(fileName);
        throw err;
      }
    }),
  );
}

/** Every `.txt` file of `documentsDir`, in name order. */
export async function readDocumentDirectory(documentsDir: string, signal?: AbortSignal): Promise<DocumentToProcess[]> {
  const names = (await readdir(documentsDir)).filter((name) => name.endsWith('.txt')).sort();
  return readDocumentFiles(documentsDir, names, signal);
}
