import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { isTimeoutError, TimeoutError } from './errors/TimeoutError.js';
import { closeOffloadPool, offload, OffloadPool } from './offload.js';
import { expectNoLeakedResources } from '../tests/support/expectNoLeaks.js';

expectNoLeakedResources();

const fixture = new URL('../tests/support/offload-fixture.mjs', import.meta.url);
// Functions sent to a worker can't use `import()` here: Vite rewrites it in test files.
const workerThreadId = (): number => process.getBuiltinModule('node:worker_threads').threadId;

const pools: OffloadPool[] = [];
function pool(options?: ConstructorParameters<typeof OffloadPool>[0]): OffloadPool {
  const p = new OffloadPool(options);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await closeOffloadPool();
});

describe('offload', () => {
  it('runs a self-contained function on a worker thread with the given arguments', async () => {
    const result = await offload(
      async (text: string, times: number) => {
        const { createHash } = process.getBuiltinModule('node:crypto');
        const { threadId: id } = process.getBuiltinModule('node:worker_threads');
        let digest = text;
        for (let i = 0; i < times; i++) digest = createHash('sha256').update(digest).digest('hex');
        return { digest, id };
      },
      ['hello', 3],
    );
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(result.id).not.toBe(threadId);
  });

  it('runs a module export, the default one unless named', async () => {
    const p = pool({ maxThreads: 1 });
    await expect(p.run({ module: fixture, export: 'add' }, [2, 3])).resolves.toBe(5);
    const id = await p.run({ module: fixture.href }, []);
    expect(typeof id).toBe('number');
    expect(id).not.toBe(threadId);
    await expect(p.run({ module: fixture, export: 'missing' }, [])).rejects.toThrow(/has no function export "missing"/);
  });

  it('keeps the event loop free while the worker is busy', async () => {
    const p = pool({ maxThreads: 1 });
    const busy = p.run((ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return 'done';
    }, [400]);
    const order: string[] = [];
    await Promise.all([busy.then((v) => order.push(v)), new Promise((r) => setTimeout(r, 10)).then(() => order.push('timer'))]);
    expect(order).toEqual(['timer', 'done']);
  });

  it('a timeout terminates the worker stuck in a loop, and the pool replaces it', async () => {
    const p = pool({ minThreads: 1, maxThreads: 1 });
    const before = await p.run(workerThreadId, []);
    const error: unknown = await p
      .run(() => {
        for (;;);
      }, [], { timeout: 200, operation: 'spin' })
      .catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as TimeoutError).operation).toBe('spin');
    expect((error as TimeoutError).budgetMs).toBe(200);
    const after = await p.run(workerThreadId, []);
    expect(after).not.toBe(before);
    await expect(p.run((a: number) => a * 2, [21])).resolves.toBe(42);
  });

  it('an abort terminates the running task and rejects with the reason', async () => {
    const p = pool({ minThreads: 1, maxThreads: 1 });
    const before = await p.run(workerThreadId, []);
    const controller = new AbortController();
    const running = p.run(() => {
      for (;;);
    }, [], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    await expect(running).rejects.toThrow('user cancelled');
    expect(await p.run(workerThreadId, [])).not.toBe(before);
    await expect(p.run(() => 1, [], { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('passes errors thrown in the worker through', async () => {
    await expect(
      offload(() => {
        throw new RangeError('inside the worker');
      }, []),
    ).rejects.toThrow('inside the worker');
  });

  it('explains functions it cannot send', async () => {
    const p = pool({ maxThreads: 1 });
    const obj = {
      method(): number {
        return 1;
      },
    };
    await expect(p.run(obj.method, [])).rejects.toThrow(/could not compile the function in the worker/);
    expect(() => p.run(Math.max, [1, 2])).toThrow(/cannot send a native or bound function/);
  });

  it('rejects bad options, naming them', async () => {
    expect(() => new OffloadPool({ maxThreads: 0 })).toThrow(/OffloadPool: options\.maxThreads must be an integer >= 1, got 0/);
    expect(() => new OffloadPool({ minThreads: 3, maxThreads: 2 })).toThrow(/options\.maxThreads \(2\) must not be less than options\.minThreads \(3\)/);
    expect(() => new OffloadPool({ idleTimeoutMs: -1 })).toThrow(/options\.idleTimeoutMs must not be negative/);
    const p = pool({ minThreads: 0, maxThreads: 1 });
    expect(() => p.run(() => 1, [], { timeout: Number.NaN })).toThrow(/offload: options\.timeout must be a number/);
    expect(() => p.run(() => 1, 'x' as never)).toThrow(/offload: args must be an array/);
    expect(() => p.run({} as never, [])).toThrow(/target must be a function or \{ module, export\? \}/);
    expect(() => p.run(() => 1, [], { signal: {} as never })).toThrow(/options\.signal must be an AbortSignal/);
    await p.destroy();
    await expect(p.run(() => 1, [])).rejects.toThrow(/pool is closed/);
  });
});
