import { readFileSync } from 'node:fs';
export const settings = (p) => JSON.parse(readFileSync(p, 'utf8'));
