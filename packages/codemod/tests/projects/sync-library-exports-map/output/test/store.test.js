import { test } from 'node:test';
import assert from 'node:assert';
import { readRaw } from '../lib/store.js';

test('reads raw bytes', async () => {
  assert.ok((await readRaw('package.json')).length > 0);
});
