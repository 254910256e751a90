import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * A scratch copy of the project for the test runs, so the user's tree is never edited while the
 * suite runs: everything but installed node_modules is copied (each is symlinked in; a
 * node_modules folder git tracks, such as a test fixture, is copied like any other folder),
 * then the edited texts are written over it. Each run starts from a fresh copy at the same path,
 * so what one run leaves behind can't change the next and test names carry the same paths.
 */
export class ProjectCopy {
  private readonly tracked = new Map<string, Promise<boolean>>();

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
      filter: async (source) => {
        if (basename(source) !== 'node_modules' || (await this.isTracked(source))) return true;
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

  /** Whether git tracks files in this folder (then it is project content, not an install). */
  private isTracked(folder: string): Promise<boolean> {
    let known = this.tracked.get(folder);
    if (known === undefined) {
      known = execFileAsync('git', ['-C', this.root, 'ls-files', '--', relative(this.root, folder)], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 })
        .then(({ stdout }) => stdout.trim() !== '', () => false);
      this.tracked.set(folder, known);
    }
    return known;
  }

  async dispose(): Promise<void> {
    await rm(this.parent, { recursive: true, force: true });
  }
}
