import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { CodemodInputError, runCodemod } from '../src/index.js';
import { listFiles } from './support/fixtureHarness.js';
import { copyProject, PROJECTS, projectScenarios, type ProjectScenario } from './projectHarness.js';
import { capture } from './tempProject.js';

/**
 * Whole projects (tests/projects/<scenario>/{input,output,scenario.json}) loaded the way a user
 * runs the codemod: a directory, copied to the temp folder so nothing above it resolves.
 */
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function copy(scenario: ProjectScenario, folder: 'input' | 'output'): string {
  const p = copyProject(join(scenario.dir, folder), { git: scenario.spec.git === true });
  cleanups.push(p.cleanup);
  return p.dir;
}

describe.each(projectScenarios().map((s) => [s.name, s] as const))('%s', { timeout: 120_000 }, (_name, scenario) => {
  it('turns input/ into output/ and says what kind of project it judged', async () => {
    const dir = copy(scenario, 'input');
    const report = await runCodemod({ project: dir, transforms: scenario.spec.transforms });
    expect(report.project.kindReason.startsWith(scenario.spec.kind), report.project.kindReason).toBe(true);
    expect(report.project.config.startsWith(scenario.spec.config), report.project.config).toBe(true);
    expect(report.project.nodeTypes).toContain(scenario.spec.nodeTypes === 'codemod' ? "the codemod's own @types/node" : "the project's @types/node");
    expect(report.behaviour).toEqual({ checked: 'types', note: expect.stringContaining('behaviour checked only by the type checker') });
    const inputFiles = listFiles(join(scenario.dir, 'input'));
    expect(listFiles(join(scenario.dir, 'output'))).toEqual(inputFiles);
    for (const file of inputFiles) {
      const actual = report.files.find((f) => f.file === file)?.after ?? readFileSync(join(scenario.dir, 'input', file), 'utf8');
      expect(actual, file).toBe(readFileSync(join(scenario.dir, 'output', file), 'utf8'));
    }
    const stops = report.stops.map((s) => ({ file: s.file, line: s.line, reason: s.reason }));
    expect(stops.length, JSON.stringify(stops, null, 1)).toBe((scenario.spec.stops ?? []).length);
    for (const stop of scenario.spec.stops ?? []) expect(stops).toContainEqual({ ...stop, reason: expect.stringContaining(stop.reason) });
    expect(report.diagnosticsRolledBack).toEqual([]);
  });

  it('changes nothing on a second run (idempotent)', async () => {
    const dir = copy(scenario, 'output');
    const report = await runCodemod({ project: dir, transforms: scenario.spec.transforms });
    expect(report.files.map((f) => f.file)).toEqual([]);
  });
});

describe('the CLI on a project directory', { timeout: 120_000 }, () => {
  it('finds the project from a path inside it and says, in text and JSON, what it judged', async () => {
    const p = copyProject(join(PROJECTS, 'sync-application-exports', 'input'));
    cleanups.push(p.cleanup);
    const c = capture();
    expect(await main(['src', '--transform', 'sync-to-async', '--json', 'report.json'], { ...c.io, cwd: p.dir })).toBe(0);
    expect(c.err()).toContain('project: application: package.json is private; exports converted with their callers');
    expect(c.err()).toContain("core module types: the codemod's own @types/node (the project has none installed)");
    expect(c.err()).toContain('behaviour checked only by the type checker');
    expect(c.out()).toContain('+export async function loadSettings(file) {');
    const json = JSON.parse(readFileSync(join(p.dir, 'report.json'), 'utf8')) as { project: { kind: string; kindReason: string }; behaviour: { checked: string } };
    expect(json.project).toMatchObject({ kind: 'application', kindReason: 'application: package.json is private' });
    expect(json.behaviour.checked).toBe('types');
  });
});

describe('project input checks', () => {
  it('names a directory with no tsconfig.json, no package.json and no source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asyncguard-empty-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'README.md'), '# nothing to convert\n');
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), "require('fs').readFileSync('x');\n");
    const error = await runCodemod({ project: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodemodInputError);
    expect((error as CodemodInputError).option).toBe('project');
    expect((error as Error).message).toMatch(/has no tsconfig\.json, no package\.json and no JavaScript or TypeScript source files$/);
  });

  it('names a package.json that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asyncguard-badpkg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'package.json'), '{ "name": ');
    const error = await runCodemod({ project: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodemodInputError);
    expect((error as Error).message).toMatch(/^project: .*package\.json is not valid JSON/);
  });
});
