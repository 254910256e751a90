import { fileURLToPath } from 'node:url';

/** A few short seed documents the example services index when no directory is given. */
export const SAMPLE_DOCUMENTS_DIR: string = fileURLToPath(new URL('../documents/', import.meta.url));
