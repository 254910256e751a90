export { DEFAULT_BUDGETS, BUDGET_CATEGORIES, MAX_TIMER_MS, assertBudget, defineBudgets } from './budgets.js';
export type { BudgetCategory, Budgets } from './budgets.js';
