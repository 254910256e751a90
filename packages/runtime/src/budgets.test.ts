import { describe, expect, it } from 'vitest';
import { assertBudget, DEFAULT_BUDGETS, defineBudgets, MAX_TIMER_MS } from './budgets.js';

describe('budgets', () => {
  it('holds the guide table', () => {
    expect(DEFAULT_BUDGETS).toEqual({ redis: 2000, redisScan: 2000, llamaindex: 10_000, search: 10_000, indexing: 30_000 });
    expect(Object.isFrozen(DEFAULT_BUDGETS)).toBe(true);
  });

  it('overrides one category and keeps the rest', () => {
    const b = defineBudgets({ redis: 500 });
    expect(b.redis).toBe(500);
    expect(b.indexing).toBe(30_000);
    expect(DEFAULT_BUDGETS.redis).toBe(2000);
  });

  it('names the unknown category or bad value', () => {
    expect(() => defineBudgets({ redsi: 1 } as never)).toThrow(/unknown budget category "redsi"/);
    expect(() => defineBudgets({ search: -1 })).toThrow(/budgets.search must not be negative/);
    expect(() => defineBudgets({ search: Number.NaN })).toThrow(/budgets.search must be a number/);
    expect(() => assertBudget(MAX_TIMER_MS + 1, 'ms')).toThrow(/at most 2147483647/);
    expect(() => assertBudget(Infinity, 'ms')).toThrow(/finite/);
    expect(assertBudget(0, 'ms')).toBe(0);
  });
});
