import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import asyncguard from '@asyncguard/eslint-plugin';
import { say } from './run.ts';

export interface LintSummary {
  findings: number;
  rules: string[];
  allRules: string[];
}

/** Lints legacy-kb's sources with the plugin's `strict` config and prints the findings by rule. */
export async function lintLegacy(srcDir: string): Promise<LintSummary> {
  const eslint = new ESLint({
    cwd: srcDir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, asyncguard.configs.strict as Linter.Config],
  });
  const byRule = new Map<string, string[]>();
  for (const result of await eslint.lintFiles(['**/*.ts'])) {
    for (const m of result.messages) {
      const rule = (m.ruleId ?? 'parse error').replace('@asyncguard/', '');
      byRule.set(rule, [...(byRule.get(rule) ?? []), `${result.filePath.slice(srcDir.length)}:${m.line}  ${m.message}`]);
    }
  }
  const rules = [...byRule.keys()].sort((a, b) => (byRule.get(b)?.length ?? 0) - (byRule.get(a)?.length ?? 0));
  const findings = rules.reduce((n, r) => n + (byRule.get(r)?.length ?? 0), 0);
  say(`  ${findings} findings from ${rules.length} rules:`);
  for (const rule of rules) {
    const lines = byRule.get(rule) ?? [];
    say(`  ${rule} (${lines.length})`);
    for (const line of lines.slice(0, 2)) say(`      src/${line.length > 150 ? `${line.slice(0, 147)}…` : line}`);
    if (lines.length > 2) say(`      … and ${lines.length - 2} more`);
  }
  return { findings, rules, allRules: Object.keys(asyncguard.rules) };
}
