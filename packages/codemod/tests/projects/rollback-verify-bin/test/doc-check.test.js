'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const path = require('path');
const { shout } = require('../lib/notes');

const bin = path.join(__dirname, '..', 'bin', 'doc-check');
const check = (file) => spawnSync(process.execPath, [bin, file], { encoding: 'utf8' }).stdout.trim();

test('doc-check accepts a note with content', () => {
  assert.strictEqual(check(path.join(__dirname, 'notes', 'hello.txt')), 'valid');
});

test('doc-check rejects a missing file', () => {
  assert.strictEqual(check(path.join(__dirname, 'notes', 'missing.txt')), 'invalid');
});

test('shout reads a note', async () => {
  assert.strictEqual(await shout(path.join(__dirname, 'notes'), 'hello'), 'HELLO');
});
