import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { loadRules } from '../scripts/generate.js';

describe('plugin shell', () => {
  it('has meta, every rule and the four configs', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(plugin.meta).toEqual({ name: pkg.name, version: pkg.version });
    const ids = (await loadRules()).map((r) => r.id);
    expect(Object.keys(plugin.rules).sort()).toEqual(ids);
    expect(Object.keys(plugin.configs).sort()).toEqual(['all', 'recommended', 'recommended-type-checked', 'strict']);
    expect(Object.keys(plugin.configs.all.rules ?? {}).sort()).toEqual(ids.map((id) => `@asyncguard/${id}`));
    for (const config of Object.values(plugin.configs)) expect(config.plugins?.['@asyncguard']).toBe(plugin);
    expect(plugin.configs['recommended-type-checked'].languageOptions?.parserOptions).toEqual({ projectService: true });
    expect(plugin.configs['recommended-type-checked'].languageOptions?.parser).toEqual(tseslint.parser);
    expect(plugin.configs['recommended-type-checked'].languageOptions?.parser?.meta?.name).toBe('typescript-eslint/parser');
    expect(plugin.configs.recommended.languageOptions).toBeUndefined();
  });

  it('the type-checked config lints TypeScript with types on its own, as typescript-eslint\'s type-checked configs do', async () => {
    const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
    const eslint = new ESLint({
      cwd: fixtures,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'] }, plugin.configs['recommended-type-checked'] as never],
    });
    // Type annotations need the TypeScript parser; the promise behind `later` is only known from its type.
    const code = 'const later: () => Promise<number> = async () => 1;\nexport async function run(): Promise<void> {\n  later();\n}\n';
    const [result] = await eslint.lintText(code, { filePath: `${fixtures}file.ts` });
    expect(result?.messages.map((m) => `${m.line}:${String(m.ruleId)}`)).toEqual(['3:@asyncguard/no-missing-await']);
  });

  it('every rule publishes its option defaults in meta.defaultOptions, one per schema entry', () => {
    for (const [id, rule] of Object.entries(plugin.rules)) {
      const schema = rule.meta.schema;
      expect(rule.meta.defaultOptions, id).toBeInstanceOf(Array);
      expect(rule.meta.defaultOptions?.length, id).toBe(Array.isArray(schema) ? schema.length : 1);
    }
  });

  it('reports under @asyncguard/<rule-id> when used from a flat config', async () => {
    const eslint = new ESLint({
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, plugin.configs.recommended as never],
    });
    const [result] = await eslint.lintText('async function load() {}\nfunction f() { load(); }\n', { filePath: 'x.ts' });
    expect(result?.messages.map((m) => m.ruleId)).toEqual(['@asyncguard/no-missing-await']);
  });
});
