#!/usr/bin/env node
// Preliminary demo: loads each built package and says what it exports. The full demo (lint the
// legacy service, codemod dry run, the knowledge-base service under a Redis stall) replaces it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stdout.write(`${line}\n`);

say('asyncguard demo: loading the built packages');
for (const name of ['runtime', 'testkit', 'eslint-plugin', 'codemod']) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  const mod = await import(`@asyncguard/${name}`);
  const exported = Object.keys(mod).filter((k) => k !== 'default').sort();
  say(`  ${pkg.name}@${pkg.version}: ${exported.length} exports${exported.length > 0 ? ` (${exported.slice(0, 8).join(', ')}${exported.length > 8 ? ', …' : ''})` : ''}`);
}
say('done');
