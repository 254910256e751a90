import { ESLintUtils } from '@typescript-eslint/utils';

/** Which generated config first enables a rule. `all` enables every rule. */
export type RuleLevel = 'recommended' | 'strict';

/** The `meta.docs` every asyncguard rule carries; configs and the README table are generated from it. */
export interface AsyncguardRuleDocs {
  description: string;
  /** The least config that enables the rule. */
  recommended: RuleLevel;
  /** Always false: every rule works without type information. */
  requiresTypeChecking: false;
  /** True when the rule uses type information, if present, to be more precise. */
  usesTypeInformation: boolean;
}

export const DOCS_BASE_URL = 'https://github.com/asyncguard/asyncguard/blob/main/packages/eslint-plugin/docs/rules/';

export const ruleDocsUrl = (ruleId: string): string => `${DOCS_BASE_URL}${ruleId}.md`;

/** Rule factory with typed options, message ids and docs URLs. */
export const createRule = ESLintUtils.RuleCreator<AsyncguardRuleDocs>(ruleDocsUrl);
