const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const settings = require('../lib/settings');

test('parses the file it reads', (t) => {
  t.mock.method(fs, 'readFileSync', () => '{"port":8080}');
  assert.deepStrictEqual(settings.load('settings.json'), { port: 8080 });
});

test('reports the size', () => {
  const real = fs.statSync;
  fs.statSync = () => ({ size: 3 });
  try {
    assert.strictEqual(settings.size('x'), 3);
  } finally {
    fs.statSync = real;
  }
});

test('knows a file that exists', () => {
  assert.strictEqual(settings.has('package.json'), true);
});
