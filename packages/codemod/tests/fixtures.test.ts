import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureProject, listFiles, runScenario, scenarios, type Scenario } from './support/fixtureHarness.js';

/**
 * Every folder tests/fixtures/<scenario>/ holds input/, output/ and scenario.json. The codemod
 * over input/ must produce output/ byte for byte, report exactly the expected stops and
 * rollbacks, and change nothing when run again over output/ (idempotence).
 */
const all = scenarios('');

// Loading the shared project (and @types/node) once takes a few seconds on a busy machine.
beforeAll(() => {
  const program = fixtureProject().getProgram().compilerObject;
  program.getTypeChecker();
}, 60_000);

describe.each(all.map((s) => [s.name, s] as const))('%s', (_name, scenario: Scenario) => {
  it('turns input/ into output/', async () => {
    const report = await runScenario(scenario, 'input');
    const inputFiles = listFiles(join(scenario.dir, 'input'));
    expect(listFiles(join(scenario.dir, 'output'))).toEqual(inputFiles);
    for (const file of inputFiles) {
      const rel = `${scenario.name}/input/${file}`;
      const result = report.files.find((f) => f.file === rel);
      const actual = result?.after ?? readFileSync(join(scenario.dir, 'input', file), 'utf8');
      expect(actual, file).toBe(readFileSync(join(scenario.dir, 'output', file), 'utf8'));
    }
    const stops = report.stops.map((s) => ({ file: s.file.replace(`${scenario.name}/input/`, ''), line: s.line, reason: s.reason }));
    const expected = scenario.spec.stops ?? [];
    expect(stops.length, JSON.stringify(stops, null, 1)).toBe(expected.length);
    for (const stop of expected) {
      expect(stops, JSON.stringify(stops, null, 1)).toContainEqual({ file: stop.file, line: stop.line, reason: expect.stringContaining(stop.reason) });
    }
    const rolled = report.diagnosticsRolledBack.map((r) => r.diagnostics[0]?.message ?? r.description);
    expect(rolled.length, JSON.stringify(report.diagnosticsRolledBack, null, 1)).toBe((scenario.spec.rolledBack ?? []).length);
    for (const piece of scenario.spec.rolledBack ?? []) expect(rolled.some((m) => m.includes(piece)), JSON.stringify(rolled)).toBe(true);
    if (report.files.length > 0) expect(report.changes.length).toBeGreaterThan(0);
    // A dry run leaves the Project it was given as it was.
    for (const file of inputFiles) {
      const path = join(scenario.dir, 'input', file);
      expect(fixtureProject().getSourceFileOrThrow(path).getFullText()).toBe(readFileSync(path, 'utf8'));
    }
  }, 60_000);

  it('changes nothing on a second run (idempotent)', async () => {
    const report = await runScenario(scenario, 'output');
    expect(report.files.map((f) => f.file)).toEqual([]);
    // A chain rolled back over input/ is still unconvertible over output/ (which equals input/ there).
    expect(report.diagnosticsRolledBack.length).toBe((scenario.spec.rolledBack ?? []).length);
  }, 60_000);
});
