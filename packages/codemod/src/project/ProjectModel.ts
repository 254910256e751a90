import type { Project } from 'ts-morph';
import { ENTRY_SCRIPT_SUFFIX } from './entryScripts.js';
import type { NodeTypesSource } from './nodeTypes.js';
import type { ProjectKind } from './projectKind.js';

/** What the codemod knows about the project it runs on; the report carries the summary. */
export interface ProjectModel {
  project: Project;
  /** Absolute real path every report path is relative to. */
  root: string;
  /** True when the codemod created the Project (false when the caller passed one in). */
  owned: boolean;
  /** The tsconfig used as is, or how the configuration was inferred. */
  config: { from: 'tsconfig'; path: string; /** A solution tsconfig's referenced projects, loaded as one program. */ references?: string[] } | { from: 'inferred'; files: 'git' | 'walk'; entryPoints: string[] } | { from: 'caller' };
  nodeTypes: NodeTypesSource;
  kind: ProjectKind;
  /** Source files left out on purpose (relative path and reason). */
  excluded: Array<{ file: string; reason: string }>;
  /** Files in the program that no transform may edit (extensionless entry scripts), with the reason. */
  readOnly: Array<{ file: string; reason: string }>;
}

/** The JSON-friendly part of the model that goes into the report. */
export interface ProjectSummary {
  kind: ProjectKind['kind'];
  kindReason: string;
  config: string;
  nodeTypes: string;
  files: number;
}

export function summarize(model: ProjectModel): ProjectSummary {
  const config = model.config.from === 'tsconfig'
    ? `tsconfig ${model.config.path}${model.config.references === undefined ? '' : ` (a solution: its ${model.config.references.length} referenced projects as one program)`}`
    : model.config.from === 'inferred'
      ? `inferred from package.json and the files ${model.config.files === 'git' ? 'git lists (.gitignore honoured)' : 'found on disk'} (allowJs, checkJs, nodenext)`
      : 'a ts-morph Project passed in';
  const nodeTypes = model.nodeTypes.from === 'project'
    ? "the project's @types/node"
    : model.nodeTypes.from === 'codemod'
      ? model.nodeTypes.instead === undefined
        ? "the codemod's own @types/node (the project has none installed)"
        : `the codemod's own @types/node ${model.nodeTypes.instead.ownVersion} in place of the project's ${model.nodeTypes.instead.version} (JavaScript: the types only guide the analysis, and the older copy lacks APIs the code may call)`
      : `none: ${model.nodeTypes.reason}`;
  const files = model.project.getSourceFiles().filter((sf) => !sf.isDeclarationFile() && !sf.isInNodeModules() && !sf.getFilePath().endsWith(ENTRY_SCRIPT_SUFFIX)).length;
  return { kind: model.kind.kind, kindReason: model.kind.reason, config, nodeTypes, files };
}
