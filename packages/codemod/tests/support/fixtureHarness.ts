import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project } from 'ts-morph';
import { runCodemod, type CodemodOptions, type CodemodReport, type TransformId } from '../../src/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** What a scenario's `scenario.json` may say besides its input/output folders. */
export interface ScenarioSpec {
  transforms: TransformId[];
  includeExports?: boolean;
  parallelCallbacks?: boolean;
  untypedReceivers?: 'update' | 'stop';
  /** Expected stops: file relative to the scenario's input folder, line, and a piece of the reason. */
  stops?: Array<{ file: string; line: number; reason: string }>;
  /**
   * Run over a Project of only this folder (and runtime-stub.d.ts): for scenarios about calls
   * found by name (untyped receivers), which the other scenarios' copies would otherwise match.
   */
  isolated?: boolean;
  /** Expected rollbacks (a piece of the first diagnostic's message). */
  rolledBack?: string[];
}

export interface Scenario {
  name: string;
  dir: string;
  spec: ScenarioSpec;
}

export function scenarios(prefix: string): Scenario[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.startsWith(prefix) && statSync(join(FIXTURES, name)).isDirectory())
    .sort()
    .map((name) => ({
      name,
      dir: join(FIXTURES, name),
      spec: JSON.parse(readFileSync(join(FIXTURES, name, 'scenario.json'), 'utf8')) as ScenarioSpec,
    }));
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

let shared: Project | undefined;

/** One ts-morph Project over every fixture: loading @types/node once keeps the suite fast. */
export function fixtureProject(): Project {
  shared ??= new Project({ tsConfigFilePath: join(FIXTURES, 'tsconfig.json') });
  return shared;
}

let isolated: Project | undefined;

/**
 * A Project over one scenario folder, with the shared fixtures' compiler options. One Project is
 * reused (its other source files removed) so that @types/node is parsed once.
 */
function isolatedProject(dir: string): Project {
  isolated ??= new Project({ compilerOptions: fixtureProject().getCompilerOptions(), skipAddingFilesFromTsConfig: true });
  for (const sf of isolated.getSourceFiles()) {
    if (!sf.getFilePath().includes('/node_modules/')) isolated.removeSourceFile(sf);
  }
  isolated.addSourceFileAtPath(join(FIXTURES, 'runtime-stub.d.ts'));
  for (const file of listFiles(dir)) isolated.addSourceFileAtPath(join(dir, file));
  return isolated;
}

export function runScenario(scenario: Scenario, folder: 'input' | 'output', extra: Partial<CodemodOptions> = {}): Promise<CodemodReport> {
  return runCodemod({
    project: scenario.spec.isolated === true ? isolatedProject(join(scenario.dir, folder)) : fixtureProject(),
    root: FIXTURES,
    paths: [join(scenario.dir, folder)],
    transforms: scenario.spec.transforms,
    includeExports: scenario.spec.includeExports ?? false,
    parallelCallbacks: scenario.spec.parallelCallbacks ?? false,
    untypedReceivers: scenario.spec.untypedReceivers,
    ...extra,
  });
}
