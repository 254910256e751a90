import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import asyncguard from '@asyncguard/eslint-plugin';
import { say, wrap } from './run.ts';

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
  const byRule = new Map<string, Array<{ at: string; message: string }>>();
  for (const result of await eslint.lintFiles(['**/*.ts'])) {
    for (const m of result.messages) {
      const rule = (m.ruleId ?? 'parse error').replace('@asyncguard/', '');
      byRule.set(rule, [...(byRule.get(rule) ?? []), { at: `src/${result.filePath.slice(srcDir.length)}:${m.line}:${m.column}`, message: m.message }]);
    }
  }
  const rules = [...byRule.keys()].sort((a, b) => (byRule.get(b)?.length ?? 0) - (byRule.get(a)?.length ?? 0));
  const findings = rules.reduce((n, r) => n + (byRule.get(r)?.length ?? 0), 0);
  say(`  ${findings} findings from ${rules.length} rules, two per rule shown:`);
  for (const rule of rules) {
    const lines = byRule.get(rule) ?? [];
    say(`  ${rule} (${lines.length})`);
    // Two findings a rule, each whole (wrapped, never cut); the rest are counted.
    for (const { at, message } of lines.slice(0, 2)) for (const line of wrap(`    ${at}  `, message, '      ')) say(line);
    if (lines.length > 2) for (const line of wrap('    … and more at ', lines.slice(2).map((l) => l.at).join(' '), '      ')) say(line);
  }
  return { findings, rules, allRules: Object.keys(asyncguard.rules) };
}
