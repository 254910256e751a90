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

/** A rule spec whose option defaults sit in `meta.defaultOptions`, where ESLint ≥ 9.15 reads them. */
export type AsyncguardRuleSpec<Options extends readonly unknown[], MessageIds extends string> =
  Omit<ESLintUtils.RuleWithMetaAndName<Options, MessageIds, AsyncguardRuleDocs>, 'defaultOptions' | 'meta'> & {
    meta: ESLintUtils.NamedCreateRuleMeta<MessageIds, AsyncguardRuleDocs, Options> & { defaultOptions: Options };
  };

/**
 * Rule factory with typed options, message ids and docs URLs. Same contract as
 * typescript-eslint's `RuleCreator`: the defaults are `meta.defaultOptions` (so ESLint merges them
 * into `context.options` itself and `--print-config` tooling can show them; the top-level
 * `defaultOptions` is deprecated), and the rule merges them again for linters that don't (ESLint
 * before 9.15, oxlint's JS plugins). Unlike `RuleCreator`, the merged options are computed once
 * per distinct options value instead of for every file: they are frozen and must not be mutated.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(
  spec: Readonly<AsyncguardRuleSpec<Options, MessageIds>>,
): ReturnType<typeof baseCreateRule<Options, MessageIds>> {
  const rule = baseCreateRule<Options, MessageIds>(spec);
  const defaults = spec.meta.defaultOptions;
  const frozenDefaults = deepFreeze(ESLintUtils.applyDefault<Options, Options>(defaults, null));
  // ESLint hands every file a fresh array once it has merged meta.defaultOptions: compare by value.
  let lastKey: string | null = null;
  let lastMerged: Options = frozenDefaults;
  return {
    ...rule,
    create(context) {
      if (spec.meta.docs.requiresTypeChecking && stopWithoutTypes(context, `@asyncguard/${spec.name}`)) return {};
      const user = context.options;
      if (user.length === 0) return spec.create(context, frozenDefaults);
      const key = JSON.stringify(user);
      if (key !== lastKey) {
        lastMerged = deepFreeze(ESLintUtils.applyDefault<Options, Options>(defaults, user as unknown as Options));
        lastKey = key;
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
