import type { JSONSchema } from '@typescript-eslint/utils';
import { DEFAULT_BUDGETS, MAX_TIMER_MS } from '@asyncguard/runtime';

export { DEFAULT_BUDGETS, MAX_TIMER_MS };

/**
 * The runtime's budget categories, spelled out so the plugin's published types do not depend on
 * the runtime package (it is bundled, not a dependency). `tests/budgets.test.ts` keeps this equal
 * to the runtime's `BudgetCategory`.
 */
export type BudgetCategory = 'redis' | 'redisScan' | 'llamaindex' | 'search' | 'indexing';
export type Budgets = Readonly<Record<BudgetCategory, number>>;

export const BUDGET_CATEGORY_NAMES = Object.keys(DEFAULT_BUDGETS) as BudgetCategory[];

/** JSON schema for a `budgets` option: every category optional, milliseconds within Node's timer range. */
export const budgetsSchema: JSONSchema.JSONSchema4ObjectSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Milliseconds per budget category; defaults to the runtime DEFAULT_BUDGETS table.',
  properties: Object.fromEntries(
    BUDGET_CATEGORY_NAMES.map((name) => [name, { type: 'number', minimum: 0, maximum: MAX_TIMER_MS, description: `Budget for ${name}, in ms.` }]),
  ),
};

export function resolveBudgets(overrides: Partial<Record<BudgetCategory, number>> | undefined): Budgets {
  return { ...DEFAULT_BUDGETS, ...overrides };
}
