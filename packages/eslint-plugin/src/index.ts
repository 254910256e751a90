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

const flat = (name: ConfigName, ruleMap: TSESLint.SharedConfig.RulesRecord, typed: boolean): TSESLint.FlatConfig.Config => ({
  name: `@asyncguard/${name}`,
  plugins: { '@asyncguard': plugin as unknown as TSESLint.FlatConfig.Plugin },
  ...(typed ? { languageOptions: { parserOptions: { projectService: true } } } : {}),
  rules: ruleMap,
});

plugin.configs.recommended = flat('recommended', recommended, false);
plugin.configs['recommended-type-checked'] = flat('recommended-type-checked', recommendedTypeChecked, true);
plugin.configs.strict = flat('strict', strict, false);
plugin.configs.all = flat('all', all, false);

export default plugin;
