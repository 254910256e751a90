import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { CallContext } from './CallContext.js';
import { isTimeoutError, TimeoutError } from './errors/TimeoutError.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';
import { withTimeout } from './withTimeout.js';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

function countAbortControllers(): { readonly count: number; restore(): void } {
  const Original = globalThis.AbortController;
  let count = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      count++;
    }
  };
  return {
    get count() {
      return count;
    },
    restore: () => {
      globalThis.AbortController = Original;
    },
  };
}

expectNoLeakedResources();

describe('withTimeout', () => {
  it('settles like the work when it is in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000)).resolves.toBe(42);
    await expect(withTimeout(async () => 'fn', 1000)).resolves.toBe('fn');
    // eslint-disable-next-line @asyncguard/no-useless-timeout -- a synchronous function is accepted; this checks it
    await expect(withTimeout(() => 'sync value', 1000)).resolves.toBe('sync value');
    const boom = new Error('boom');
    await expect(withTimeout(Promise.reject(boom), 1000)).rejects.toBe(boom);
    await expect(
      // eslint-disable-next-line @asyncguard/no-useless-timeout -- a synchronous throw must become a rejection
      withTimeout(() => {
        throw boom;
      }, 1000),
    ).rejects.toBe(boom);
  });

  it('rejects with a TimeoutError at the deadline, carrying operation, budget and elapsed', async () => {
    vi.useFakeTimers();
    const p = withTimeout(never(), 2000, { operation: 'redis.get' });
    const settled = vi.fn();
    p.then(settled, settled);
    await vi.advanceTimersByTimeAsync(1999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const error: unknown = settled.mock.calls[0]?.[0];
    expect(isTimeoutError(error)).toBe(true);
    const e = error as TimeoutError;
    expect(e.operation).toBe('redis.get');
    expect(e.budgetMs).toBe(2000);
    expect(e.elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(e.elapsedMs).toBeLessThan(2002);
    expect(e.message).toMatch(/^redis\.get timed out after 200\d(\.\d)? ms \(budget 2000 ms\)$/);
  });

  it('expires many calls with different budgets in deadline order', async () => {
    vi.useFakeTimers();
    const order: number[] = [];
    const calls = [300, 100, 200, 100, 300].map((ms, i) =>
      withTimeout(never(), ms).catch(() => {
        order.push(i);
      }),
    );
    await vi.advanceTimersByTimeAsync(150);
    expect(order).toEqual([1, 3]);
    await vi.advanceTimersByTimeAsync(200);
    expect(order).toEqual([1, 3, 2, 0, 4]);
    await Promise.all(calls);
  });

  it('records the outcome, asking a function at the moment of the timeout', async () => {
    vi.useFakeTimers();
    let written = false;
    const a = withTimeout(never(), 10, { outcome: () => (written ? 'unknown' : 'not-sent') }).catch((e: unknown) => e);
    written = true;
    const b = withTimeout(never(), 10, { outcome: 'not-sent' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(((await a) as TimeoutError).outcome).toBe('unknown');
    expect(((await b) as TimeoutError).outcome).toBe('not-sent');
  });

  it('creates no AbortController unless the function reads its signal, and never aborts on success', async () => {
    const counter = countAbortControllers();
    try {
      await withTimeout(async () => 1, 1000);
      await withTimeout(Promise.resolve(1), 1000);
      await withTimeout(async (_ctx: CallContext) => 1, 1000);
      expect(counter.count).toBe(0);
      let seen: AbortSignal | undefined;
      await withTimeout(async ({ signal }) => {
        seen = signal;
        return 1;
      }, 1000);
      expect(counter.count).toBe(1);
      expect(seen?.aborted).toBe(false);
    } finally {
      counter.restore();
    }
  });

  it('aborts the signal with the TimeoutError when the deadline passes', async () => {
    vi.useFakeTimers();
    let seen: AbortSignal | undefined;
    const p = withTimeout(({ signal }) => {
      seen = signal;
      return never();
    }, 50).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const error = await p;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it('gives a signal read after the deadline already aborted', async () => {
    vi.useFakeTimers();
    let ctx: CallContext | undefined;
    const p = withTimeout((c) => {
      ctx = c;
      return never();
    }, 5).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5);
    const error = await p;
    expect(ctx?.signal.aborted).toBe(true);
    expect(ctx?.signal.reason).toBe(error);
  });

  it('follows an outer signal: rejects with its reason and aborts the inner signal', async () => {
    const outer = new AbortController();
    let inner: AbortSignal | undefined;
    const p = withTimeout(
      ({ signal }) => {
        inner = signal;
        return never();
      },
      60_000,
      { signal: outer.signal },
    );
    const reason = new Error('client went away');
    outer.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(inner?.aborted).toBe(true);
    expect(inner?.reason).toBe(reason);
  });

  it('does not start the work when the outer signal is already aborted', async () => {
    const fn = vi.fn(async () => 1);
    const reason = new Error('already');
    await expect(withTimeout(fn, 1000, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it('stops listening to the outer signal once settled', async () => {
    const outer = new AbortController();
    const add = vi.spyOn(outer.signal, 'addEventListener');
    const remove = vi.spyOn(outer.signal, 'removeEventListener');
    await withTimeout(async () => 1, 1000, { signal: outer.signal });
    await withTimeout(Promise.reject(new Error('x')), 1000, { signal: outer.signal }).catch(() => {});
    expect(add).toHaveBeenCalledTimes(2);
    expect(remove).toHaveBeenCalledTimes(2);
    expect(remove.mock.calls.map((c) => c[1])).toEqual(add.mock.calls.map((c) => c[1]));
  });

  it('reports a late rejection to onLateRejection instead of leaving it unhandled', async () => {
    vi.useFakeTimers();
    const late = vi.fn();
    let rejectWork!: (e: unknown) => void;
    const work = new Promise<never>((_, reject) => {
      rejectWork = reject;
    });
    const p = withTimeout(work, 10, { onLateRejection: late }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    const timeout = await p;
    const failure = new Error('late');
    rejectWork(failure);
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toHaveBeenCalledWith(failure, timeout);
  });

  it('swallows a late rejection without a hook, and survives a throwing hook', async () => {
    vi.useFakeTimers();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let rejectA!: (e: unknown) => void;
      let rejectB!: (e: unknown) => void;
      const a = withTimeout(new Promise((_, r) => (rejectA = r)), 10).catch(() => {});
      const b = withTimeout(new Promise((_, r) => (rejectB = r)), 10, {
        onLateRejection: () => {
          throw new Error('hook bug');
        },
      }).catch(() => {});
      await vi.advanceTimersByTimeAsync(10);
      await Promise.all([a, b]);
      rejectA(new Error('late a'));
      rejectB(new Error('late b'));
      vi.useRealTimers();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('rejects bad budgets, work and options at once, naming them', () => {
    const ok = Promise.resolve(1);
    expect(() => withTimeout(ok, -1)).toThrow(new RangeError('withTimeout: ms must not be negative, got -1'));
    expect(() => withTimeout(ok, Number.NaN)).toThrow(/withTimeout: ms must be a number of milliseconds, got NaN/);
    expect(() => withTimeout(ok, Infinity)).toThrow(/withTimeout: ms must be finite/);
    expect(() => withTimeout(ok, 2 ** 31)).toThrow(/withTimeout: ms must be at most 2147483647 ms/);
    expect(() => withTimeout(ok, '100' as never)).toThrow(RangeError);
    // eslint-disable-next-line @asyncguard/no-useless-timeout -- the bad input under test
    expect(() => withTimeout(42 as never, 100)).toThrow(/withTimeout: work must be a promise or a function/);
    expect(() => withTimeout(ok, 100, { signal: {} as never })).toThrow(/options\.signal must be an AbortSignal/);
    expect(() => withTimeout(ok, 100, { onLateRejection: 1 as never })).toThrow(/options\.onLateRejection/);
    expect(() => withTimeout(ok, 100, { outcome: 'maybe' as never })).toThrow(/options\.outcome/);
  });
});

describe('withTimeout in a child process', () => {
  const runtimeSrc = fileURLToPath(new URL('./withTimeout.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));

  function runScript(body: string): Promise<{ code: number | null; stdout: string; ms: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'asyncguard-wt-'));
    const file = join(dir, 'script.mts');
    writeFileSync(file, `import { withTimeout } from ${JSON.stringify(runtimeSrc)};\n${body}\n`);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--import', tsx, file], { timeout: 30_000 }, (error, stdout) => {
        rmSync(dir, { recursive: true, force: true });
        if (error !== null && error.killed) reject(new Error(`child did not exit: ${String(error)}`));
        else resolve({ code: error === null ? 0 : (error.code as number | null), stdout, ms: Date.now() - started });
      });
    });
  }

  it('exits as soon as the work settled, long before a 60 s budget', async () => {
    const { code, stdout, ms } = await runScript(`
      const value = await withTimeout(new Promise((r) => setTimeout(r, 10, 'ok')), 60_000);
      await withTimeout(async ({ signal }) => signal.aborted, 60_000);
      console.log(value);
    `);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('ok');
    expect(ms).toBeLessThan(25_000);
  }, 30_000);

  it('leaves no active timer after success, failure, timeout or abort (a clean process, so counts are exact)', async () => {
    const { code, stdout } = await runScript(`
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const never = new Promise(() => {});
      const seen = [timers()];
      await withTimeout(Promise.resolve(1), 5000);
      await withTimeout(Promise.reject(new Error('x')), 5000).catch(() => {});
      await withTimeout(never, 5).catch(() => {});
      seen.push(timers());
      const controller = new AbortController();
      const aborted = withTimeout(never, 5000, { signal: controller.signal }).catch(() => {});
      seen.push(timers());
      controller.abort();
      await aborted;
      seen.push(timers());
      console.log(seen.join(' '));
    `);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('0 0 1 0');
  }, 30_000);

  it('stays alive while work is pending, until the deadline rejects it', async () => {
    const { code, stdout } = await runScript(`
      await withTimeout(new Promise(() => {}), 300, { operation: 'pending.forever' }).catch((e) => console.log(e.name, e.operation));
    `);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('TimeoutError pending.forever');
  }, 30_000);
});
