import { createRequire } from 'node:module';
import type { TSESLint } from '@typescript-eslint/utils';
import all from './configs/all.js';
import recommendedTypeChecked from './configs/recommended-type-checked.js';
import recommended from './configs/recommended.js';
import strict from './configs/strict.js';
import { rules } from './rules/index.js';
import { VERSION } from './version.js';

type ConfigName = 'recommended' | 'recommended-type-checked' | 'strict' | 'all';

interface AsyncguardPlugin {
  meta: { name: string; version: string };
  rules: typeof rules;
  configs: Record<ConfigName, TSESLint.FlatConfig.Config>;
}

const plugin: AsyncguardPlugin = {
  meta: { name: '@asyncguard/eslint-plugin', version: VERSION },
  rules,
  configs: {} as AsyncguardPlugin['configs'],
};

/**
 * What a type-checked config needs, as typescript-eslint's own type-checked configs set it: the
 * TypeScript parser and `projectService`. The parser (and with it TypeScript) is loaded the first
 * time the config is read, so `recommended` and the other configs never pay for it.
 */
function typedLanguageOptions(): TSESLint.FlatConfig.LanguageOptions {
  const options: TSESLint.FlatConfig.LanguageOptions = { parserOptions: { projectService: true } };
  let parser: TSESLint.FlatConfig.Parser | undefined;
  Object.defineProperty(options, 'parser', {
    enumerable: true,
    get: () => {
      if (parser === undefined) {
        // The module's own exports carry `__esModule` and more; a parser object is meta + parseForESLint.
        const loaded = createRequire(import.meta.url)('@typescript-eslint/parser') as { meta: TSESLint.Parser.ParserMeta; parseForESLint(text: string, options?: unknown): unknown };
        parser = { meta: loaded.meta, parseForESLint: loaded.parseForESLint } as TSESLint.FlatConfig.Parser;
      }
      return parser;
    },
  });
  return options;
}

const flat = (name: ConfigName, ruleMap: TSESLint.SharedConfig.RulesRecord, typed: boolean): TSESLint.FlatConfig.Config => ({
  name: `@asyncguard/${name}`,
  plugins: { '@asyncguard': plugin as unknown as TSESLint.FlatConfig.Plugin },
  ...(typed ? { languageOptions: typedLanguageOptions() } : {}),
  rules: ruleMap,
});

plugin.configs.recommended = flat('recommended', recommended, false);
plugin.configs['recommended-type-checked'] = flat('recommended-type-checked', recommendedTypeChecked, true);
plugin.configs.strict = flat('strict', strict, false);
plugin.configs.all = flat('all', all, false);

export default plugin;
