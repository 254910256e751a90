import { afterEach, beforeEach, expect, vi } from 'vitest';

/** Counts of `process.getActiveResourcesInfo()` by kind. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Kinds whose count grew since `before`. */
export function grownResources(before: Map<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [kind, n] of activeResources()) {
    const extra = n - (before.get(kind) ?? 0);
    if (extra > 0) grown[kind] = extra;
  }
  return grown;
}

/**
 * Registers hooks that fail a test which leaves more active handles, timers or workers than it
 * found. (Vitest's own hook timers come and go, so only growth counts.) Also restores real timers.
 */
export function expectNoLeakedResources(): void {
  let before = new Map<string, number>();
  beforeEach(() => {
    before = activeResources();
  });
  afterEach(async () => {
    vi.useRealTimers();
    // Closed handles (a child's pipes, a terminated worker) leave the list a few ticks later.
    for (let i = 0; i < 50 && Object.keys(grownResources(before)).length > 0; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (i > 10) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(grownResources(before)).toEqual({});
  });
}
