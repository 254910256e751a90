import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

/**
 * A scratch copy of the project for the test runs, so the user's tree is never edited while the
 * suite runs: everything but node_modules is copied (each node_modules folder is symlinked in),
 * then the edited texts are written over it. Each run starts from a fresh copy at the same path,
 * so what one run leaves behind can't change the next and test names carry the same paths.
 */
export class ProjectCopy {
  private constructor(readonly root: string, private readonly parent: string, readonly dir: string) {}

  static async create(root: string): Promise<ProjectCopy> {
    const parent = await mkdtemp(join(tmpdir(), 'asyncguard-verify-'));
    return new ProjectCopy(root, parent, join(parent, basename(root)));
  }

  /** A fresh copy of the project with `texts` (absolute paths in the project) written over it. */
  async prepare(texts: ReadonlyMap<string, string>): Promise<string> {
    await rm(this.dir, { recursive: true, force: true });
    const linked: string[] = [];
    await cp(this.root, this.dir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => {
        if (basename(source) !== 'node_modules') return true;
        linked.push(source);
        return false;
      },
    });
    for (const source of linked) {
      const target = join(this.dir, relative(this.root, source));
      await mkdir(dirname(target), { recursive: true });
      await symlink(source, target, 'dir');
    }
    for (const [file, text] of texts) {
      const rel = relative(this.root, file);
      if (rel.startsWith('..')) continue;
      await writeFile(join(this.dir, rel), text);
    }
    return this.dir;
  }

  async dispose(): Promise<void> {
    await rm(this.parent, { recursive: true, force: true });
  }
}
