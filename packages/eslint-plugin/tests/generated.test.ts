import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, loadRules, PACKAGE_DIR } from '../scripts/generate.js';

describe('generated files', () => {
  it('match what scripts/generate.ts writes (run `pnpm --filter @asyncguard/eslint-plugin generate` after changing rule metadata)', async () => {
    const files = await generate();
    expect(files.size).toBeGreaterThan(5);
    for (const [path, content] of files) {
      expect(readFileSync(path, 'utf8'), relative(PACKAGE_DIR, path)).toBe(content);
    }
  });

  it('every rule has docs and tests, and its docs name every option', async () => {
    for (const rule of await loadRules()) {
      const doc = readFileSync(`${PACKAGE_DIR}/docs/rules/${rule.id}.md`, 'utf8');
      expect(doc, rule.id).toContain(`# \`@asyncguard/${rule.id}\``);
      expect(doc, rule.id).toContain('## When Not To Use It');
      expect(doc, rule.id).toContain('❌');
      expect(doc, rule.id).toContain('✅');
      for (const option of rule.optionNames) expect(doc, `${rule.id} documents ${option}`).toContain(`\`${option}\``);
      readFileSync(`${PACKAGE_DIR}/tests/rules/${rule.id}.test.ts`, 'utf8');
    }
  });
});
