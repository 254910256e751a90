import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { expect, it } from 'vitest';
import asyncguard from '@asyncguard/eslint-plugin';

const src = fileURLToPath(new URL('../src/', import.meta.url));

it('is clean under the asyncguard strict config', async () => {
  const eslint = new ESLint({
    cwd: src,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, asyncguard.configs.strict as Linter.Config],
  });
  const results = await eslint.lintFiles(['**/*.ts']);
  expect(results.length).toBeGreaterThan(10); // it did lint the service
  const findings = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(src.length)}:${m.line} ${m.ruleId ?? 'fatal'}: ${m.message}`));
  expect(findings).toEqual([]);
}, 60_000);
