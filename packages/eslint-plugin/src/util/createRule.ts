import { ESLintUtils } from '@typescript-eslint/utils';
import { stopWithoutTypes } from './typeRequirement.js';

/** Which generated config first enables a rule. `all` enables every rule. */
export type RuleLevel = 'recommended' | 'strict';

/** The `meta.docs` every asyncguard rule carries; configs and the README table are generated from it. */
export interface AsyncguardRuleDocs {
  description: string;
  /** The least config that enables the rule. */
  recommended: RuleLevel;
  /**
   * False for every rule today: each works without type information. A rule that sets it can't:
   * `createRule` then stops it cleanly where there are no types (see `stopWithoutTypes`).
   */
  requiresTypeChecking: boolean;
  /** True when the rule uses type information, if present, to be more precise. */
  usesTypeInformation: boolean;
}

export const DOCS_BASE_URL = 'https://github.com/asyncguard/asyncguard/blob/main/packages/eslint-plugin/docs/rules/';

export const ruleDocsUrl = (ruleId: string): string => `${DOCS_BASE_URL}${ruleId}.md`;

const baseCreateRule = ESLintUtils.RuleCreator<AsyncguardRuleDocs>(ruleDocsUrl);

/**
 * Rule factory with typed options, message ids and docs URLs. Same contract as
 * typescript-eslint's `RuleCreator`, except that options are merged with their defaults once per
 * distinct options array instead of being cloned for every file: a rule's options are frozen and
 * must not be mutated.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(
  spec: Readonly<ESLintUtils.RuleWithMetaAndName<Options, MessageIds, AsyncguardRuleDocs>>,
): ReturnType<typeof baseCreateRule<Options, MessageIds>> {
  const rule = baseCreateRule<Options, MessageIds>(spec);
  const defaults = spec.defaultOptions ?? ([] as unknown as Options);
  const frozenDefaults = deepFreeze(ESLintUtils.applyDefault<Options, Options>(defaults, null));
  let lastUserOptions: readonly unknown[] | null = null;
  let lastMerged: Options = frozenDefaults;
  return {
    ...rule,
    create(context) {
      if (spec.meta.docs.requiresTypeChecking && stopWithoutTypes(context, `@asyncguard/${spec.name}`)) return {};
      const user = context.options;
      if (user.length === 0) return spec.create(context, frozenDefaults);
      if (user !== lastUserOptions) {
        lastMerged = deepFreeze(ESLintUtils.applyDefault<Options, Options>(defaults, user as unknown as Options));
        lastUserOptions = user;
      }
      return spec.create(context, lastMerged);
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
