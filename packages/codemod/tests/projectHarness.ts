import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransformId } from '../src/index.js';
import { git } from './tempProject.js';

export const PROJECTS = fileURLToPath(new URL('./projects/', import.meta.url));

/** What a whole-project scenario's `scenario.json` says. */
export interface ProjectSpec {
  transforms: TransformId[];
  /** Run inside a fresh git work tree (so `.gitignore` is read through `git ls-files`). */
  git?: boolean;
  /** The start of the report's kind reason, e.g. "application: package.json is private". */
  kind: string;
  /** How the configuration came about: a tsconfig used as is, or inferred. */
  config: 'tsconfig' | 'inferred';
  /** Where core-module types came from. */
  nodeTypes: 'project' | 'codemod';
  stops?: Array<{ file: string; line: number; reason: string }>;
}

export interface ProjectScenario {
  name: string;
  dir: string;
  spec: ProjectSpec;
}

/** Scenarios under tests/projects/ that have input/ and output/ folders. */
export function projectScenarios(): ProjectScenario[] {
  return readdirSync(PROJECTS)
    .filter((name) => existsSync(join(PROJECTS, name, 'output')) && statSync(join(PROJECTS, name)).isDirectory())
    .sort()
    .map((name) => ({ name, dir: join(PROJECTS, name), spec: JSON.parse(readFileSync(join(PROJECTS, name, 'scenario.json'), 'utf8')) as ProjectSpec }));
}

/**
 * A copy of a fixture project in the system temp folder: outside this repository, so no
 * node_modules (and no @types/node) above it resolves. `_gitignore` becomes `.gitignore` (a real
 * one would hide fixture files from this repository's own git), and `_node_modules` becomes
 * `node_modules` (packages a scenario installs, such as an old @types/node).
 */
export function copyProject(source: string, options: { git?: boolean } = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'asyncguard-project-'));
  cpSync(source, dir, { recursive: true });
  if (existsSync(join(dir, '_gitignore'))) renameSync(join(dir, '_gitignore'), join(dir, '.gitignore'));
  if (existsSync(join(dir, '_node_modules'))) renameSync(join(dir, '_node_modules'), join(dir, 'node_modules'));
  if (options.git === true) git(dir, 'init', '-q');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
