import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArgs, parseDuration } from '../src/cli.js';
import { CodemodInputError, runCodemod } from '../src/index.js';
import { parseTestOutput } from '../src/verify/parseTestOutput.js';
import { ProjectCopy } from '../src/verify/ProjectCopy.js';
import { runTestCommand } from '../src/verify/runTestCommand.js';
import { bisect, type Regression } from '../src/verify/VerifyGate.js';
import { copyProject, PROJECTS } from './projectHarness.js';
import { git } from './tempProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

describe('parseTestOutput', () => {
  it('reads nested TAP from node:test, leaving out suites failed only by their subtests and skipped tests', () => {
    const tap = [
      'TAP version 13', '# Subtest: passes', 'ok 1 - passes', '# Subtest: fails here', 'not ok 2 - fails here', '  ---',
      "  failureType: 'testCodeFailure'", '  ...', '# Subtest: group', '    # Subtest: inner fail', '    not ok 1 - inner fail',
      '      ---', "      failureType: 'testCodeFailure'", '      ...', '    ok 2 - inner ok', 'not ok 3 - group', '  ---',
      "  failureType: 'subtestsFailed'", '  ...', 'not ok 4 - later # SKIP not now', '1..4', '# pass 2', '# fail 2',
    ].join('\n');
    expect(parseTestOutput(tap)).toEqual({ failing: ['fails here', 'group > inner fail'], passing: 2 });
  });

  it("reads mocha's spec reporter failures with their suite path", () => {
    const mocha = [
      '  resume', '    ✓ loads', '    1) saves', '', '  2 passing (12ms)', '  1 failing', '', '  1) resume', '       saveAs', '         writes the file:',
      '     AssertionError: expected true', '      at Context.<anonymous> (test/a.js:3:9)',
    ].join('\n');
    expect(parseTestOutput(mocha)).toEqual({ failing: ['resume > saveAs > writes the file'], passing: 2 });
    // A title ending in a newline leaves a lone ":" after a blank line.
    const newline = ['  1 passing (3ms)', '  1 failing', '', '  1) Testing CLI interface', '       Testing: "--help"', '', ':', '', '      Uncaught AssertionError: expected 127 to equal 0'];
    expect(parseTestOutput(newline.join('\n')).failing).toEqual(['Testing CLI interface > Testing: "--help"']);
  });

  it('reads jest, vitest, ava and the node:test spec reporter', () => {
    expect(parseTestOutput('  ● cache › evicts old entries\n\nTests:       1 failed, 4 passed, 5 total').failing).toEqual(['cache › evicts old entries']);
    expect(parseTestOutput(' FAIL  test/a.test.ts > cache > evicts [1ms]\n      Tests  1 failed | 3 passed (4)')).toEqual({ failing: ['test/a.test.ts > cache > evicts'], passing: 3 });
    expect(parseTestOutput('  ✘ [fail]: cli › prints help\n  ─\n  2 tests passed')).toEqual({ failing: ['cli › prints help'], passing: 2 });
    expect(parseTestOutput('✖ reads a note (3.1ms)\nℹ pass 7\n\u001b[31m✖ failing tests:\u001b[39m')).toEqual({ failing: ['reads a note'], passing: 7 });
  });

  it('names nothing in output it does not recognise', () => {
    expect(parseTestOutput('Error: Cannot find module ./x\n    at require')).toEqual({ failing: [] });
  });
});

describe('bisect', () => {
  const regression: Regression = { newFailures: ['t'], why: 'x', tail: '' };

  it('isolates the items that regress on their own, running halves only', async () => {
    const bad = new Set([2, 5]);
    const runs: number[][] = [];
    const blamed = await bisect([0, 1, 2, 3, 4, 5, 6, 7], regression, async (subset) => {
      runs.push([...subset]);
      const hit = subset.filter((i) => bad.has(i));
      return hit.length > 0 ? { newFailures: hit.map((i) => `test ${i}`), why: 'fails', tail: '' } : undefined;
    });
    expect([...blamed.keys()].sort()).toEqual([2, 5]);
    expect(blamed.get(5)!.newFailures).toEqual(['test 5']);
    expect(runs.every((r) => r.length < 8)).toBe(true);
  });

  it('blames every item of a set whose halves only regress together', async () => {
    const blamed = await bisect(['a', 'b', 'c'], regression, async (subset) => (subset.includes('a') && subset.includes('c') ? regression : undefined));
    expect([...blamed.keys()].sort()).toEqual(['a', 'b', 'c']);
  });
});

/** Whether process `pid` is gone (or a zombie) within `withinMs`. */
async function stopsRunning(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    if (stat === '' || / Z /.test(stat)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runTestCommand', () => {
  it('kills the whole process group at the time limit', async () => {
    const dir = copyProject(join(PROJECTS, 'rollback-verify-spawned', 'lib')).dir;
    cleanups.push(() => spawnSync('rm', ['-rf', dir]));
    const script = "const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1e3)'],{stdio:'ignore'});" +
      "require('fs').writeFileSync('grandchild.pid',String(c.pid));setInterval(()=>{},1e3)";
    const run = await runTestCommand(`node -e "${script}"`, { cwd: dir, timeoutMs: 1500 });
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).toBeNull();
    const pid = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    // SIGKILL is delivered when the kernel next schedules the process, which on a loaded machine
    // can be a moment after the run settles: wait (bounded) until it is gone, or a zombie waiting
    // for init to reap it; either way it no longer runs.
    expect(await stopsRunning(pid, 10_000)).toBe(true);
  });

  it('runs offline and reports the exit code', async () => {
    const run = await runTestCommand('node -e "process.exit(process.env.npm_config_offline === \'true\' ? 7 : 1)"', { cwd: PROJECTS, timeoutMs: 60_000 });
    expect(run).toMatchObject({ exitCode: 7, timedOut: false });
  });
});

describe('ProjectCopy', () => {
  it('copies the project with the edited texts, symlinks installed node_modules and copies a tracked one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'asyncguard-copy-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const files: Record<string, string> = {
      '.gitignore': 'node_modules/\n', 'lib/a.js': 'old\n', 'test/fixture/node_modules/fake/index.js': 'fixture\n', 'node_modules/dep/index.js': 'dep\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    git(root, 'init', '-q');
    git(root, 'add', '-f', 'test/fixture/node_modules/fake/index.js');
    const copy = await ProjectCopy.create(root);
    try {
      const dir = await copy.prepare(new Map([[join(root, 'lib/a.js'), 'new\n']]));
      expect(readFileSync(join(dir, 'lib/a.js'), 'utf8')).toBe('new\n');
      expect(readFileSync(join(root, 'lib/a.js'), 'utf8')).toBe('old\n');
      expect(lstatSync(join(dir, 'node_modules')).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(dir, 'node_modules/dep/index.js'), 'utf8')).toBe('dep\n');
      expect(lstatSync(join(dir, 'test/fixture/node_modules')).isSymbolicLink()).toBe(false);
      expect(readFileSync(join(dir, 'test/fixture/node_modules/fake/index.js'), 'utf8')).toBe('fixture\n');
      // A second run starts from a fresh copy: what the first left behind is gone.
      writeFileSync(join(dir, 'leftover.txt'), 'x');
      const again = await copy.prepare(new Map());
      expect(existsSync(join(again, 'leftover.txt'))).toBe(false);
      expect(readFileSync(join(again, 'lib/a.js'), 'utf8')).toBe('old\n');
    } finally {
      await copy.dispose();
    }
    expect(existsSync(copy.dir)).toBe(false);
  });
});

describe('the --verify gate on a project', { timeout: 300_000 }, () => {
  it('rolls back the chain that breaks a test (its caller is code a child process runs), keeps the safe one, and the written project passes its tests', async () => {
    const { dir } = copyProject(join(PROJECTS, 'rollback-verify-spawned'));
    cleanups.push(() => spawnSync('rm', ['-rf', dir]));
    const before = readFileSync(join(dir, 'lib', 'validate.js'), 'utf8');
    const report = await runCodemod({ project: dir, transforms: ['sync-to-async'], write: true, verify: { command: 'node --test' } });
    expect(report.behaviour.checked).toBe('tests');
    if (report.behaviour.checked !== 'tests') return;
    expect(report.behaviour.baseline).toEqual({ exitCode: 0, failingTests: [], timedOut: false });
    expect(report.behaviour.rolledBack).toEqual([expect.objectContaining({
      transform: 'sync-to-async', file: 'lib/validate.js', line: 6, failingTests: ['doc-check rejects a missing file'],
    })]);
    // baseline, all chains, each half, the confirmation
    expect(report.behaviour.runs).toBe(5);
    expect(report.written).toEqual(['lib/notes.js']);
    expect(readFileSync(join(dir, 'lib', 'validate.js'), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, 'lib', 'notes.js'), 'utf8')).toContain('(await readNote(dir, name)).trim()');
    const after = spawnSync('node', ['--test'], { cwd: dir, encoding: 'utf8' });
    expect(after.status, after.stdout).toBe(0);
  });

  it('refuses a baseline that fails without naming a failing test', async () => {
    const { dir } = copyProject(join(PROJECTS, 'rollback-verify-spawned'));
    cleanups.push(() => spawnSync('rm', ['-rf', dir]));
    const error = await runCodemod({ project: dir, transforms: ['sync-to-async'], verify: { command: 'echo broken; exit 3' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodemodInputError);
    expect((error as CodemodInputError).option).toBe('verify');
    expect((error as Error).message).toContain('fails before any edit (exit 3) and its output names no failing test');
  });
});

describe('--verify options', () => {
  it('parses durations and refuses --verify-timeout without --verify', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(() => parseDuration('soon')).toThrow('--verify-timeout: "soon" is not a positive duration');
    expect(parseArgs(['--verify', 'npm test', '--verify-timeout', '2m'])).toMatchObject({ verify: 'npm test', verifyTimeoutMs: 120_000 });
    expect(() => parseArgs(['--verify-timeout', '2m'])).toThrow('--verify-timeout: needs --verify');
  });
});
