import { createServer, connect, type Server } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../vitest.js';
import { spinFor } from '../event-loop/fixtures/blockingCode.js';
import { networkSafeFakeTimers } from '../timers/networkSafeFakeTimers.js';
import { trackConcurrency } from './trackConcurrency.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('toBlockEventLoop', () => {
  it('passes .not for code that only awaits', async () => {
    await expect(async () => {
      for (let i = 0; i < 5; i++) await sleep(5);
    }).not.toBlockEventLoop({ maxMs: 200 });
  });

  it('fails .not with the blocking function, file and line in the message', async () => {
    const failure = expect(() => spinFor(200)).not.toBlockEventLoop({ maxMs: 40 });
    await expect(failure).rejects.toThrow(/expected the function not to block the event loop for more than 40 ms, but it blocked it once:\n {2}blocked for \d+ ms\n {4}at spinFor \((?:packages\/testkit\/)?src\/event-loop\/fixtures\/blockingCode\.ts:9:\d+\)/);
  });

  it('passes without .not when the loop stalls, and explains when it does not', async () => {
    await expect(() => spinFor(150)).toBlockEventLoop({ maxMs: 40 });
    await expect(expect(() => sleep(5)).toBlockEventLoop({ maxMs: 200 })).rejects.toThrow(
      'expected the function to block the event loop for more than 200 ms, but the loop kept turning',
    );
  });

  it('names a bad maxMs', async () => {
    await expect(expect(() => undefined).not.toBlockEventLoop({ maxMs: 0 })).rejects.toThrow('options.maxMs must be a positive number');
  });
});

describe('toSettleWithin', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes for a promise that settles in time, rejected ones included', async () => {
    await expect(sleep(5)).toSettleWithin(1000);
    await expect(Promise.reject(new Error('nope'))).toSettleWithin(1000);
  });

  it('fails for a promise still pending, saying how long it waited', async () => {
    await expect(expect(new Promise(() => undefined)).toSettleWithin(30)).rejects.toThrow(
      /^expected the promise to settle within 30 ms, but it was still pending after \d+ ms \(real time; fake timers do not advance during this wait\)$/m,
    );
  });

  it('fails in Vitest\'s own shape: the matcher hint, the explanation, then Expected and Received', async () => {
    const failure = async (assertion: Promise<unknown>): Promise<string> => {
      const error = await assertion.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      return stripVTControlCharacters((error as Error).message);
    };
    const pending = await failure(expect(new Promise(() => undefined)).toSettleWithin(20));
    expect(pending).toMatch(/^expect\(promise\)\.toSettleWithin\(ms\)\n\nexpected the promise to settle within 20 ms/);
    expect(pending).toMatch(/\n\nExpected: "settled within 20 ms"\nReceived: "still pending after \d+ ms"$/);
    const settled = await failure(expect(Promise.resolve(1)).not.toSettleWithin(500));
    expect(settled).toMatch(/^expect\(promise\)\.not\.toSettleWithin\(ms\)\n/);
    expect(settled).toMatch(/Expected: not "settled within 500 ms"\nReceived: "resolved after \d+ ms"$/);
    const sequential = await failure(expect([() => sleep(1), () => sleep(1)].map((f) => async () => f())).toRunConcurrently({ minOverlap: 3 }));
    expect(sequential).toMatch(/^expect\(tasks\)\.toRunConcurrently\(options\)\n/);
    expect(sequential).toMatch(/Expected: "at least 3 in flight at once"\nReceived: "a peak of 2 in flight"$/);
  });

  it('.not fails for a promise that settles, with the outcome', async () => {
    await expect(expect(Promise.reject(new Error('boom'))).not.toSettleWithin(500)).rejects.toThrow(
      /^expected the promise not to settle within 500 ms, but it rejected after \d+ ms \(Error: boom\)$/m,
    );
    await expect(new Promise(() => undefined)).not.toSettleWithin(20);
  });

  it('keeps the real clock under fake timers', async () => {
    vi.useFakeTimers();
    // With the default fakes every timer is frozen: only a real clock can end this wait.
    await expect(expect(new Promise((resolve) => setTimeout(resolve, 10))).toSettleWithin(40)).rejects.toThrow('still pending after');
    const advanced = new Promise((resolve) => setTimeout(resolve, 10_000));
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(advanced).toSettleWithin(50);
  });

  it('accepts a function returning the promise and rejects other subjects by name', async () => {
    await expect(() => sleep(1)).toSettleWithin(1000);
    await expect(expect(42).toSettleWithin(10)).rejects.toThrow('toSettleWithin: expect() needs a promise or a function returning one, got number');
    await expect(expect(sleep(1)).toSettleWithin(-1)).rejects.toThrow('toSettleWithin: ms must be a non-negative number');
  });

  it('works with the network-safe fake timer preset, where I/O and setImmediate stay real', async () => {
    vi.useFakeTimers(networkSafeFakeTimers);
    await expect(new Promise((resolve) => setImmediate(resolve))).toSettleWithin(500);
  });
});

describe('toRunConcurrently', () => {
  const facts = Array.from({ length: 10 }, (_, i) => `fact-${i}`);
  const storeFact = async (fact: string): Promise<string> => {
    await sleep(15);
    return fact;
  };

  it('passes when ten calls overlap', async () => {
    await expect(facts.map((fact) => () => storeFact(fact))).toRunConcurrently({ minOverlap: 10 });
  });

  it('fails for calls made one after another, with a timeline', async () => {
    const store = trackConcurrency(storeFact);
    for (const fact of facts) await store(fact);
    await expect(expect(store).toRunConcurrently({ minOverlap: 10 })).rejects.toThrow(
      /^expected 10 calls to have at least 10 in flight at once, but at most 1 was in flight at a time: they ran one after another\n {2}#0: [\d.]+ ms → [\d.]+ ms\n {2}#1: /m,
    );
  });

  it('names an unknown option', async () => {
    await expect(expect(facts.map((fact) => () => storeFact(fact))).toRunConcurrently({ minOverlaps: 10 } as never)).rejects.toThrow(
      'toRunConcurrently: unknown option "minOverlaps" (known options: minOverlap, maxInFlight)',
    );
  });

  it('checks a bound with maxInFlight', async () => {
    const limited = trackConcurrency(storeFact);
    const queue = [...facts];
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let fact = queue.shift(); fact !== undefined; fact = queue.shift()) await limited(fact);
      }),
    );
    await expect(limited).toRunConcurrently({ maxInFlight: 3, minOverlap: 3 });
    const unbounded = trackConcurrency(storeFact);
    await Promise.all(facts.map((fact) => unbounded(fact)));
    await expect(expect(unbounded).toRunConcurrently({ maxInFlight: 3 })).rejects.toThrow(
      /^expected 10 calls to have at most 3 in flight at once, but at most 10 were in flight at once/m,
    );
  });

  it('.not fails when calls did overlap', async () => {
    await expect(expect(facts.map((fact) => () => storeFact(fact))).not.toRunConcurrently()).rejects.toThrow(
      /^expected 10 calls not to have at least 10 in flight at once, but at most 10 were in flight at once/m,
    );
  });

  it('surfaces a task failure and names bad input', async () => {
    await expect(expect([() => Promise.reject(new Error('store failed'))]).toRunConcurrently()).rejects.toThrow('store failed');
    await expect(expect('x').toRunConcurrently()).rejects.toThrow('toRunConcurrently: expect() needs an array of functions');
    await expect(expect([() => sleep(1)]).toRunConcurrently({ minOverlap: 0 })).rejects.toThrow('options.minOverlap must be a positive integer');
  });
});

describe('toLeakHandles', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('passes .not when everything opened is closed', async () => {
    await expect(async () => {
      const timer = setInterval(() => undefined, 1000);
      clearInterval(timer);
      await sleep(1);
    }).not.toLeakHandles();
  });

  it('fails .not for an interval left running, naming where it was created', async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await expect(
        expect(() => {
          timer = setInterval(() => undefined, 1000);
        }).not.toLeakHandles(),
      ).rejects.toThrow(/it left 1 open:\n {2}- setInterval every 1000 ms \[timer, keeps the process alive\]\n {6}at .*matchers\.test\.ts:\d+:\d+/);
    } finally {
      clearInterval(timer);
    }
  });

  it('fails .not for a socket and a child process left open', async () => {
    server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const opened: Array<{ destroy?: () => void; kill?: () => boolean }> = [];
    try {
      await expect(
        expect(async () => {
          const socket = connect(port, '127.0.0.1');
          opened.push(socket);
          await new Promise((resolve) => socket.once('connect', resolve));
          const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
          opened.push(child);
        }).not.toLeakHandles({ settleMs: 20 }),
      ).rejects.toThrow(new RegExp(`TCP socket to 127\\.0\\.0\\.1:${port} \\[socket, keeps the process alive\\][\\s\\S]*child process \\d+ still running or not reaped \\[child-process`));
    } finally {
      for (const handle of opened) {
        handle.destroy?.();
        handle.kill?.();
      }
    }
  });

  it('passes without .not when something leaks, and explains when nothing does', async () => {
    let timer: NodeJS.Timeout | undefined;
    await expect(() => {
      timer = setTimeout(() => undefined, 5000);
    }).toLeakHandles({ settleMs: 0 });
    clearTimeout(timer);
    await expect(expect(() => undefined).toLeakHandles({ settleMs: 0 })).rejects.toThrow(
      'expected the function to leak handles, but everything it opened was closed',
    );
  });
});
