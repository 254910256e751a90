import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Project } from 'ts-morph';

/**
 * The directory a project option names, found without loading the project: a directory itself, the
 * folder of a tsconfig.json path, the root or tsconfig folder of a ts-morph Project. Undefined when
 * the path does not exist (loading the project then reports it).
 */
export async function projectDirectory(projectOption: string | Project, cwd: string, rootOption?: string): Promise<string | undefined> {
  if (projectOption instanceof Project) {
    const configPath = projectOption.getCompilerOptions().configFilePath;
    return rootOption ?? (typeof configPath === 'string' ? dirname(configPath) : cwd);
  }
  if (typeof projectOption !== 'string' || projectOption === '') return undefined;
  const path = resolve(cwd, projectOption);
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) return undefined;
  return stats.isDirectory() ? path : dirname(path);
}
