import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import asyncguard from '@asyncguard/eslint-plugin';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Findings of the `strict` config (every asyncguard rule, no type information), by rule id. */
async function findingsByRule(): Promise<Map<string, string[]>> {
  const eslint = new ESLint({
    cwd: src,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, asyncguard.configs.strict as Linter.Config],
  });
  const byRule = new Map<string, string[]>();
  for (const result of await eslint.lintFiles(['**/*.ts'])) {
    for (const message of result.messages) {
      const rule = message.ruleId ?? `fatal: ${message.message}`;
      byRule.set(rule, [...(byRule.get(rule) ?? []), `${result.filePath}:${message.line}`]);
    }
  }
  return byRule;
}

describe('legacy-kb under @asyncguard/eslint-plugin', () => {
  it('is reported by every asyncguard rule', async () => {
    const byRule = await findingsByRule();
    const rules = Object.keys(asyncguard.rules).map((id) => `@asyncguard/${id}`);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const missing = rules.filter((rule) => (byRule.get(rule) ?? []).length === 0);
    expect(missing, `rules that no longer find anything in legacy-kb: ${missing.join(', ')}`).toEqual([]);
    expect([...byRule.keys()].filter((rule) => !rule.startsWith('@asyncguard/'))).toEqual([]);
  }, 60_000);

  it('finds the blocking patterns where they are', async () => {
    const byRule = await findingsByRule();
    const at = (rule: string): string[] => (byRule.get(`@asyncguard/${rule}`) ?? []).map((where) => where.slice(src.length));
    // One Redis client per call in each method that talks to Redis.
    expect(at('no-redis-client-per-call').length).toBeGreaterThanOrEqual(4);
    expect(at('no-io-in-constructor')).toEqual([expect.stringMatching(/^KnowledgeBase\.ts:/)]);
    expect(at('no-blocking-in-async').every((where) => where.startsWith('KnowledgeBase.ts:'))).toBe(true);
  }, 60_000);
});
