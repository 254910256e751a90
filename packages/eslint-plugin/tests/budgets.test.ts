import { DEFAULT_BUDGETS as RUNTIME_BUDGETS, type BudgetCategory as RuntimeCategory } from '@asyncguard/runtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BUDGET_CATEGORY_NAMES, DEFAULT_BUDGETS, budgetsSchema, resolveBudgets, type BudgetCategory } from '../src/util/budgets.js';

describe('budgets come from the runtime table', () => {
  it('uses the runtime DEFAULT_BUDGETS object itself', () => {
    expect(DEFAULT_BUDGETS).toBe(RUNTIME_BUDGETS);
    expect(Object.keys(budgetsSchema.properties ?? {})).toEqual(Object.keys(RUNTIME_BUDGETS));
    expect(BUDGET_CATEGORY_NAMES).toEqual(Object.keys(RUNTIME_BUDGETS));
  });

  it('keeps the local category type equal to the runtime one', () => {
    expectTypeOf<BudgetCategory>().toEqualTypeOf<RuntimeCategory>();
  });

  it('overrides only the categories given', () => {
    expect(resolveBudgets({ search: 5000 })).toEqual({ ...RUNTIME_BUDGETS, search: 5000 });
    expect(resolveBudgets(undefined)).toEqual(RUNTIME_BUDGETS);
  });
});
