import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

/**
 * Every code block in docs/rules/<rule-id>.md is linted with that rule alone (default options, no
 * type information): each block under "❌ Incorrect" must be reported, each block under
 * "✅ Correct" must not be, every other TypeScript block (the options' types) must parse, and
 * every `js` block (a rules entry of a config) must be accepted by ESLint against the rule's schema.
 */
const DOCS = fileURLToPath(new URL('../docs/rules/', import.meta.url));

interface CodeBlock {
  /** The heading the block sits under: ❌, ✅ or another section. */
  kind: 'incorrect' | 'correct' | 'other';
  language: string;
  line: number;
  code: string;
}

function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let kind: CodeBlock['kind'] = 'other';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) kind = line.includes('❌') ? 'incorrect' : line.includes('✅') ? 'correct' : 'other';
    const open = /^```(\w*)\s*$/.exec(line);
    if (open === null) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith('```')) i++;
    blocks.push({ kind, language: open[1] ?? '', line: start, code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return blocks;
}

function lint(ruleId: string, code: string, filename: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(code, [
    {
      files: ['**/*.ts', '**/*.js'],
      languageOptions: { parser: tseslint.parser as Linter.Parser, sourceType: 'module' },
      plugins: { '@asyncguard': plugin as never },
      rules: { [`@asyncguard/${ruleId}`]: 'error' },
    },
  ], { filename });
}

const docs = readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort();

describe('rule docs', () => {
  it('document every rule, and only rules', () => {
    expect(docs.map((name) => name.replace(/\.md$/, ''))).toEqual(Object.keys(plugin.rules).sort());
  });

  describe.each(docs)('%s', (name) => {
    const ruleId = name.replace(/\.md$/, '');
    const blocks = codeBlocks(readFileSync(`${DOCS}${name}`, 'utf8'));

    it('has ❌ and ✅ examples', () => {
      expect(blocks.filter((b) => b.kind === 'incorrect').length).toBeGreaterThan(0);
      expect(blocks.filter((b) => b.kind === 'correct').length).toBeGreaterThan(0);
    });

    it.each(blocks.map((block) => [`${block.kind} ${block.language} block at line ${block.line}`, block] as const))('%s', (_label, block) => {
      if (block.language === 'js') {
        // `'@asyncguard/<rule>': ['error', { … }]`: a rules entry, checked by ESLint's own option validation.
        const rules = new Function(`return ({ ${block.code} });`)() as Linter.RulesRecord;
        expect(Object.keys(rules)).toEqual([`@asyncguard/${ruleId}`]);
        expect(() => new Linter({ configType: 'flat' }).verify('', [{ plugins: { '@asyncguard': plugin as never }, rules }], { filename: 'x.js' })).not.toThrow();
        return;
      }
      const messages = lint(ruleId, block.code, 'docs-example.ts');
      const fatal = messages.filter((m) => m.fatal === true || m.ruleId === null);
      expect(fatal.map((m) => `${m.line}: ${m.message}`), block.code).toEqual([]);
      const reported = messages.map((m) => `${m.line}: ${m.message}`);
      if (block.kind === 'incorrect') expect(reported.length, `nothing reported in:\n${block.code}`).toBeGreaterThan(0);
      if (block.kind === 'correct') expect(reported, block.code).toEqual([]);
    });
  });
});
