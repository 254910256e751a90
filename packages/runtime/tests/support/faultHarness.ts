/**
 * Helpers for the RedisManager's real-server tests: settle timing, unhandled-rejection capture
 * and a handle-leak check. Test-only (not exported from the package).
 */
import { activeResources, grownResources } from './expectNoLeaks.js';

export interface Settled<T> {
  ok: boolean;
  value?: T;
  error?: unknown;
  /** ms from the call to its settlement. */
  ms: number;
}

/** Starts timing now; resolves how `promise` settled and when. */
export function timed<T>(promise: Promise<T>): Promise<Settled<T>> {
  const started = performance.now();
  return promise.then(
    (value) => ({ ok: true, value, ms: performance.now() - started }),
    (error: unknown) => ({ ok: false, error, ms: performance.now() - started }),
  );
}

/** Collects unhandled rejections until disposed. */
export function captureUnhandled(): { readonly reasons: unknown[]; dispose(): void } {
  const reasons: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  return {
    reasons,
    dispose: () => {
      process.off('unhandledRejection', onUnhandled);
    },
  };
}

/** Snapshot of active handles; `grown()` waits a few ticks for closing handles, then lists growth. */
export function handleSnapshot(): { grown(): Promise<Record<string, number>> } {
  const before = activeResources();
  return {
    async grown() {
      for (let i = 0; i < 40 && Object.keys(grownResources(before)).length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return grownResources(before);
    },
  };
}

/** Name of an error class, for compact assertions. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it returns true or `ms` pass; returns whether it did. */
export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

/** The rejection of `p`, which must reject (a test fails with 'expected a rejection' otherwise). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
