import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A directory of source files on disk, for tests of what the module index reads. */
export interface FixtureDir {
  readonly root: string;
  path(relative: string): string;
  write(relative: string, text: string): string;
  remove(): void;
}

export function fixtureDir(files: Readonly<Record<string, string>>): FixtureDir {
  const root = mkdtempSync(join(tmpdir(), 'asyncguard-module-index-'));
  const dir: FixtureDir = {
    root,
    path: (relative) => join(root, relative),
    write: (relative, text) => {
      const file = join(root, relative);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  for (const [name, text] of Object.entries(files)) dir.write(name, text);
  return dir;
}
