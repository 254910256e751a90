import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { SYNC_APIS } from '../src/shared/syncApis.js';
import { MockedApis } from '../src/transforms/sync-to-async/mockedApis.js';

/** Which of `apis` the given files mock, as `name → where` (where: file:line). */
function mockedIn(files: Record<string, string>, apis: string[]): Record<string, string | undefined> {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true, checkJs: false, noLib: true } });
  for (const [name, text] of Object.entries(files)) project.createSourceFile(name, text);
  const program = project.getProgram().compilerObject;
  const mocked = new MockedApis(program.getTypeChecker(), program.getSourceFiles().filter((sf) => Object.keys(files).some((f) => sf.fileName.endsWith(f))));
  const api = (name: string) => {
    const [module, member] = name.split('.') as [string, string];
    return { ...SYNC_APIS.get(member)!, module } as Parameters<MockedApis['of']>[0];
  };
  return Object.fromEntries(apis.map((name) => [name, mocked.of(api(name))?.where.replace(/^\//, '')]));
}

describe('MockedApis', () => {
  it('finds module mocks of vitest, jest, node:test (also t.mock) and proxyquire stubs', () => {
    expect(mockedIn({ 'a.test.js': "import { vi } from 'vitest';\nvi.mock('node:fs');\n" }, ['fs.readFileSync', 'child_process.execSync']))
      .toEqual({ 'fs.readFileSync': 'a.test.js:2', 'child_process.execSync': undefined });
    expect(mockedIn({ 'b.test.js': "const { test } = require('node:test');\ntest('x', (t) => {\n  t.mock.module('child_process', {});\n});\n" }, ['child_process.execSync']))
      .toEqual({ 'child_process.execSync': 'b.test.js:3' });
    expect(mockedIn({ 'c.test.js': "const proxyquire = require('proxyquire');\nproxyquire.noCallThru()('../lib/x', { zlib: {} });\n" }, ['zlib.gzipSync', 'fs.readFileSync']))
      .toEqual({ 'zlib.gzipSync': 'c.test.js:2', 'fs.readFileSync': undefined });
  });

  it('finds one mocked member (spyOn, a monkey-patch) and leaves the module\'s others alone', () => {
    const files = { 'd.test.js': "import fs from 'node:fs';\njest.spyOn(fs, 'existsSync');\n\n(fs).readdirSync = () => [];\n" };
    expect(mockedIn(files, ['fs.existsSync', 'fs.readdirSync', 'fs.readFileSync']))
      .toEqual({ 'fs.existsSync': 'd.test.js:2', 'fs.readdirSync': 'd.test.js:4', 'fs.readFileSync': undefined });
  });

  it('ignores look-alikes: another object, a destructured function, a mock() that is no mocking API, a plain call', () => {
    const files = {
      'e.test.js': [
        "const sinon = require('sinon');",
        "const { readFileSync } = require('fs');",
        "const fs = require('fs');",
        'const store = { readFileSync() {} };',
        "sinon.stub(store, 'readFileSync');",
        "sinon.stub({ readFileSync }, 'readFileSync');",
        "router.mock('fs');",
        "fs.readFileSync('x');",
        'let copy = fs.statSync; copy = null;',
      ].join('\n'),
    };
    expect(mockedIn(files, ['fs.readFileSync', 'fs.statSync'])).toEqual({ 'fs.readFileSync': undefined, 'fs.statSync': undefined });
  });
});
