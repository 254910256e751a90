import { realpath, stat } from 'node:fs/promises';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import { Project, type ProjectOptions, ts } from 'ts-morph';
import { CodemodInputError } from '../CodemodInputError.js';
import { inferredCompilerOptions } from './inferredConfig.js';
import { addEntryScripts } from './entryScripts.js';
import { listProjectFiles } from './listProjectFiles.js';
import { nodeTypesRedirect, ownNodeTypes, preferOwnNodeTypes, projectNodeTypes, wantsNodeTypes, type NodeTypesSource } from './nodeTypes.js';
import { binPaths, exportTargets, readPackageJson } from './packageJson.js';
import { classifyProject } from './projectKind.js';
import type { ProjectModel } from './ProjectModel.js';

/**
 * Loads the project the codemod runs on. `projectOption` is a ts-morph Project (used as it is), a
 * tsconfig.json path, or a directory: its tsconfig.json (or jsconfig.json) is used as is when there is one, otherwise
 * a configuration is built in memory from package.json and the project's files. When
 * `@types/node` does not resolve for the project, the codemod's own copy is added so that core
 * modules always resolve.
 */
export async function loadProject(projectOption: string | Project, cwd: string, rootOption?: string): Promise<ProjectModel> {
  if (projectOption instanceof Project) {
    const configPath = projectOption.getCompilerOptions().configFilePath;
    const root = await realpath(rootOption ?? (typeof configPath === 'string' ? dirname(configPath) : cwd));
    const files = projectOption.getSourceFiles().map((sf) => sf.getFilePath());
    return {
      project: projectOption, root, owned: false, config: { from: 'caller' },
      nodeTypes: nodeTypesIn(projectOption), kind: await classifyProject(root, files), excluded: [], readOnly: [],
    };
  }
  if (typeof projectOption !== 'string' || projectOption === '') {
    throw new CodemodInputError('project', 'must be a project directory or a tsconfig.json path');
  }
  const path = resolve(cwd, projectOption);
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) throw new CodemodInputError('project', `${path} does not exist`);
  if (stats.isDirectory()) {
    // A jsconfig.json is a tsconfig with JavaScript defaults (allowJs, …), which TypeScript applies by its name.
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const configPath = join(path, name);
      if ((await stat(configPath).catch(() => undefined))?.isFile() === true) return fromTsconfig(configPath);
    }
    return inferred(await realpath(path));
  }
  return fromTsconfig(path);
}

async function fromTsconfig(configPath: string): Promise<ProjectModel> {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error !== undefined) {
    throw new CodemodInputError('project', `can't read ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
  }
  const references = solutionReferences(configPath, read.config);
  let project: Project;
  const root = await realpath(dirname(configPath));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath));
  const javaScriptOnly = parsed.options.checkJs !== true &&
    parsed.fileNames.every((file) => /\.d\.[cm]?ts$/.test(file) || !/\.[cm]?tsx?$/.test(file));
  const instead = javaScriptOnly ? olderProjectNodeTypes(root, parsed.options) : undefined;
  try {
    const resolution = instead ? { resolutionHost: nodeTypesRedirect(instead.own) } : {};
    project = references === undefined ? new Project({ tsConfigFilePath: configPath, ...resolution }) : solutionProject(configPath, references, resolution);
  } catch (error) {
    if (error instanceof CodemodInputError) throw error;
    throw new CodemodInputError('project', `can't load ${configPath}: ${(error as Error).message}`);
  }
  if (instead) project.addSourceFileAtPath(instead.own);
  const nodeTypes = instead?.source ?? addNodeTypes(project, root);
  const files = project.getSourceFiles().map((sf) => sf.getFilePath());
  const readOnly = await addEntryScripts(project, root, await readPackageJson(root));
  return {
    project, root, owned: true,
    config: { from: 'tsconfig', path: configPath, ...(references === undefined ? {} : { references: references.map((r) => r.path) }) },
    nodeTypes, kind: await classifyProject(root, files), excluded: [],
    readOnly: readOnly.map(readOnlyEntry),
  };
}

interface ReferencedConfig {
  path: string;
  parsed: ts.ParsedCommandLine;
}

/**
 * The projects a solution-style tsconfig stands for (one with `references` and no files of its own,
 * as `tsc -b` uses), followed transitively; undefined for an ordinary tsconfig. A caller in one
 * referenced project (the tests) of a function in another (the library) is a caller like any other,
 * so the codemod must see them all.
 */
function solutionReferences(configPath: string, raw: unknown): ReferencedConfig[] | undefined {
  const own = ts.parseJsonConfigFileContent(raw, ts.sys, dirname(configPath), undefined, configPath);
  if (own.fileNames.length > 0 || (own.projectReferences?.length ?? 0) === 0) return undefined;
  const found = new Map<string, ReferencedConfig>();
  const visit = (references: readonly ts.ProjectReference[]): void => {
    for (const reference of references) {
      const path = ts.resolveProjectReferencePath(reference);
      if (found.has(path)) continue;
      const read = ts.readConfigFile(path, ts.sys.readFile);
      if (read.error !== undefined) {
        throw new CodemodInputError('project', `can't read ${path}, referenced by ${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
      }
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path);
      found.set(path, { path, parsed });
      visit(parsed.projectReferences ?? []);
    }
  };
  visit(own.projectReferences ?? []);
  return [...found.values()];
}

/**
 * One program over every referenced project's files. The options are the first reference's (each
 * file is type-checked the same way before and after the edits, so a difference between the
 * projects' options shows up in the baseline, not as a new diagnostic), without what only `tsc -b`
 * needs (composite, emit settings); JavaScript is allowed when any reference allows it.
 */
function solutionProject(configPath: string, references: readonly ReferencedConfig[], extra: Pick<ProjectOptions, 'resolutionHost'>): Project {
  const withFiles = references.filter((r) => r.parsed.fileNames.length > 0);
  const first = withFiles[0];
  if (first === undefined) throw new CodemodInputError('project', `${configPath} is a solution whose referenced projects list no files`);
  const options: ts.CompilerOptions = { ...first.parsed.options, configFilePath: configPath, noEmit: true };
  for (const key of ['composite', 'incremental', 'tsBuildInfoFile', 'declaration', 'declarationMap', 'emitDeclarationOnly', 'outDir', 'rootDir', 'outFile'] as const) {
    delete options[key];
  }
  if (withFiles.some((r) => r.parsed.options.allowJs === true)) options.allowJs = true;
  const project = new Project({ compilerOptions: options, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true, ...extra });
  for (const file of new Set(withFiles.flatMap((r) => r.parsed.fileNames))) project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  return project;
}

async function inferred(root: string): Promise<ProjectModel> {
  const pkg = await readPackageJson(root);
  const listed = await listProjectFiles(root);
  const entryPoints = pkg === undefined ? [] : [pkg.main, ...binPaths(pkg), ...exportTargets(pkg.exports)]
    .filter((p): p is string => p !== undefined && !p.includes('*'))
    .map((p) => relative(root, normalize(join(root, p))).split(sep).join('/'));
  const files = new Set(listed.files);
  if (pkg === undefined && files.size === 0) {
    throw new CodemodInputError('project', `${root} has no tsconfig.json, no package.json and no JavaScript or TypeScript source files`);
  }
  const compilerOptions = inferredCompilerOptions(root);
  // Without a tsconfig nothing type-checks the project's JavaScript: its types only guide the analysis.
  const instead = [...files].every((file) => /\.d\.[cm]?ts$/.test(file) || !/\.[cm]?tsx?$/.test(file))
    ? olderProjectNodeTypes(root, compilerOptions) : undefined;
  const project = new Project({
    compilerOptions, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true,
    ...(instead ? { resolutionHost: nodeTypesRedirect(instead.own) } : {}),
  });
  for (const file of files) project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  if (instead) project.addSourceFileAtPath(instead.own);
  const nodeTypes = instead?.source ?? addNodeTypes(project, root);
  const readOnly = await addEntryScripts(project, root, pkg);
  return {
    project, root, owned: true, config: { from: 'inferred', files: listed.source, entryPoints },
    nodeTypes, kind: await classifyProject(root, [...files]), excluded: listed.excluded, readOnly: readOnly.map(readOnlyEntry),
  };
}

/** Adds the codemod's own @types/node when the project's does not resolve (and its config wants Node types). */
function addNodeTypes(project: Project, root: string): NodeTypesSource {
  const options = project.getCompilerOptions();
  const own = projectNodeTypes(root, options);
  if (own !== undefined) {
    // TypeScript 6 no longer includes every @types package when `types` is unset; the project's own
    // compiler (older) does, and its code is written against that.
    if (options.types === undefined) project.addSourceFileAtPath(own);
    return { from: 'project', path: own };
  }
  if (!wantsNodeTypes(options)) return { from: 'none', reason: 'the tsconfig lists `types` without node' };
  const fallback = ownNodeTypes();
  if (fallback === undefined) return { from: 'none', reason: "@types/node resolves neither for the project nor for the codemod" };
  project.addSourceFileAtPath(fallback);
  return { from: 'codemod', path: fallback };
}

/**
 * A JavaScript project (nothing type-checks its code against these types) whose @types/node is an
 * older major than the codemod's: the codemod's copy is used in its place (see preferOwnNodeTypes).
 */
function olderProjectNodeTypes(root: string, options: ts.CompilerOptions): { own: string; source: NodeTypesSource } | undefined {
  if (!wantsNodeTypes(options)) return undefined;
  const projectTypes = projectNodeTypes(root, options);
  const own = ownNodeTypes();
  const older = projectTypes === undefined ? undefined : preferOwnNodeTypes(projectTypes, own);
  return older === undefined || own === undefined ? undefined : { own, source: { from: 'codemod', path: own, instead: older } };
}

function readOnlyEntry(file: string): { file: string; reason: string } {
  return { file, reason: 'entry script without a .js extension: read so the calls it makes are seen, never edited' };
}

function nodeTypesIn(project: Project): NodeTypesSource {
  const found = project.getSourceFiles().find((sf) => /[\\/]@types[\\/]node[\\/]index\.d\.ts$/.test(sf.getFilePath()));
  if (found !== undefined) return { from: 'project', path: found.getFilePath() };
  const options = project.getCompilerOptions();
  return wantsNodeTypes(options) ? { from: 'project', path: 'resolved by the caller\'s Project' } : { from: 'none', reason: 'the Project lists `types` without node' };
}
