import { ReplyError } from 'ioredis';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { FaultSpecError } from '../faults/FaultSpecError.js';
import { FaultPlan } from '../faults/FaultPlan.js';
import { createFaultyRedis, type FaultyRedis } from './createFaultyRedis.js';
import { watchTimers } from '../../tests/support/proxyTestSupport.js';

const clients: FaultyRedis[] = [];
function client(...args: Parameters<typeof createFaultyRedis>): FaultyRedis {
  const redis = createFaultyRedis(...args);
  clients.push(redis);
  return redis;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

async function ready(redis: FaultyRedis): Promise<void> {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
}

function events(redis: FaultyRedis, names: string[]): string[] {
  const seen: string[] = [];
  for (const name of names) redis.on(name, () => seen.push(name));
  return seen;
}

describe('createFaultyRedis', () => {
  it('behaves like Redis when no rule matches, with its own dataset', async () => {
    const a = client({ seed: 1 });
    const b = client({ seed: 1 });
    await a.set('k', 'v');
    expect(await a.get('k')).toBe('v');
    expect(await b.get('k')).toBeNull();
    const shared = client({ dataset: 'shared-test', data: { x: '1' } });
    const twin = client({ dataset: 'shared-test' });
    expect(await twin.get('x')).toBe('1');
    expect(await shared.call('get', 'x')).toBe('1');
  });

  it('duplicate() is another connection to the same faulty server: same data, same rules and log', async () => {
    const redis = client({ seed: 1 });
    const twin = redis.duplicate() as FaultyRedis;
    clients.push(twin);
    expect(twin.faults).toBe(redis.faults);
    await redis.set('d', '1');
    redis.faults.on('get').fail('LOADING');
    await expect(twin.get('d')).rejects.toThrow(/^LOADING/);
    redis.faults.clear();
    expect(await twin.get('d')).toBe('1');
    expect(redis.faults.log.map((e) => e.command)).toEqual(['set', 'get', 'get']);
  });

  it('delays with a real timer, so the caller can race it', async () => {
    const redis = client({ seed: 1 });
    redis.faults.on('hset', { key: 'fact:*' }).delay(300);
    const started = performance.now();
    await redis.hset('fact:1', 'f', 'v');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const fast = performance.now();
    await redis.hset('other', 'f', 'v');
    expect(performance.now() - fast).toBeLessThan(250);
    expect(await redis.hget('fact:1', 'f')).toBe('v');
  });

  it('rejects with ioredis ReplyError for injected error replies, then recovers after failTimes', async () => {
    const redis = client({ seed: 1 });
    redis.faults.on('set').failTimes(2, 'READONLY');
    for (let i = 0; i < 2; i++) {
      const error = await redis.set('k', 'v').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplyError);
      expect((error as Error).message).toBe("READONLY You can't write against a read only replica.");
    }
    expect(await redis.set('k', 'v')).toBe('OK');
    redis.faults.on('get').fail('MOVED');
    await expect(redis.get('foo')).rejects.toThrow('MOVED 12182 127.0.0.1:6380');
    redis.faults.on('incr').fail('OOM');
    await expect(redis.incr('n')).rejects.toThrow(/^OOM /);
  });

  it('calls node-style callbacks too', async () => {
    const redis = client({ seed: 1 });
    redis.faults.on('get').fail('LOADING');
    const error = await new Promise((resolve) => {
      void redis.get('k', (err) => resolve(err)).catch(() => undefined);
    });
    expect((error as Error).message).toMatch(/^LOADING/);
  });

  it('hangs until commandTimeout fires, and quit() leaves no pending command or timer', async () => {
    const redis = client({ seed: 1, commandTimeout: 100 });
    redis.faults.on('get').hang();
    await expect(redis.get('k')).rejects.toThrow('Command timed out');

    const timers = watchTimers();
    onTestFinished(() => timers.restore());
    const plain = client({ seed: 1 });
    plain.faults.on('get').hang();
    plain.faults.on('set').delay(60_000);
    const hung = plain.get('k');
    const delayed = plain.set('k', 'v');
    expect(timers.pending()).toBe(1);
    expect(await plain.quit()).toBe('OK');
    expect(timers.pending()).toBe(0);
    await expect(hung).rejects.toThrow('Connection is closed.');
    await expect(delayed).rejects.toThrow('Connection is closed.');
    await expect(plain.get('k')).rejects.toThrow('Connection is closed.');
    expect(plain.status).toBe('end');
  });

  it('emits close, reconnecting, connect, ready on disconnect() and resends the command', async () => {
    const redis = client({ seed: 1, reconnectDelayMs: 20 });
    await ready(redis);
    await redis.set('k', 'v');
    const seen = events(redis, ['error', 'close', 'reconnecting', 'connect', 'ready']);
    redis.faults.on('get').times(1).disconnect();
    expect(await redis.get('k')).toBe('v');
    expect(seen).toEqual(['close', 'reconnecting', 'connect', 'ready']);
    expect(redis.faults.log.map((e) => e.outcome)).toEqual(['pass', 'disconnect', 'pass']);
  });

  it('emits an ECONNRESET error event on a reset, and queues commands sent meanwhile', async () => {
    const redis = client({ seed: 1, reconnectDelayMs: 30 });
    const errors: NodeJS.ErrnoException[] = [];
    redis.on('error', (e: NodeJS.ErrnoException) => errors.push(e));
    redis.faults.on('get').failTimes(1, 'ECONNRESET');
    const first = redis.get('a');
    await new Promise((r) => setTimeout(r, 5));
    expect(redis.status).toBe('reconnecting');
    const queued = redis.set('b', '1');
    expect(await first).toBeNull();
    expect(await queued).toBe('OK');
    expect(errors.map((e) => e.code)).toEqual(['ECONNRESET']);
  });

  it('stays closed when reconnectDelayMs is null', async () => {
    const redis = client({ seed: 1, reconnectDelayMs: null });
    await ready(redis);
    const seen = events(redis, ['close', 'end', 'reconnecting']);
    redis.faults.on('get').disconnect();
    await expect(redis.get('k')).rejects.toThrow('Connection is closed.');
    await expect(redis.set('k', 'v')).rejects.toThrow('Connection is closed.');
    expect(seen).toEqual(['close', 'end']);
  });

  it('applies rules to multi/exec as one "exec" call', async () => {
    const redis = client({ seed: 1 });
    redis.faults.on('exec').failTimes(1, 'ERR', 'EXECABORT Transaction discarded');
    await expect(redis.multi().set('a', '1').get('a').exec()).rejects.toThrow('ERR EXECABORT Transaction discarded');
    expect(await redis.multi().set('a', '1').get('a').exec()).toEqual([
      [null, 'OK'],
      [null, '1'],
    ]);
  });

  it('applies rules to pipelined commands one by one, as on the wire', async () => {
    const redis = client({ seed: 1 });
    redis.faults.on('get', { key: 'slow' }).delay(150);
    redis.faults.on('set', { key: 'bad' }).fail('READONLY');
    const started = performance.now();
    const results = await redis.pipeline().set('slow', 'S').get('slow').set('bad', 'B').get('bad').exec();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(results?.[1]).toEqual([null, 'S']);
    expect(results?.[2]?.[0]).toBeInstanceOf(ReplyError);
    expect(results?.[3]).toEqual([null, null]); // the failed SET never ran
    expect(redis.faults.log.map((e) => `${e.command}:${e.outcome}`)).toEqual(['set:pass', 'get:pass', 'set:error', 'get:pass']);
    expect(await redis.pipeline([['get', 'slow']]).exec()).toEqual([[null, 'S']]);
  });

  it('replays the same faults from the same seed', async () => {
    const outcomes = async (seed: number): Promise<string> => {
      const redis = client({ seed });
      redis.faults.on('get', { probability: 0.3 }).fail();
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => redis.get(`k${i}`)));
      return results.map((r) => r.status[0]).join('');
    };
    expect(await outcomes(99)).toBe(await outcomes(99));
    expect(await outcomes(99)).toContain('r');
  });

  it('rejects bad options with a FaultSpecError naming the option', () => {
    expect(() => createFaultyRedis({ commandTimeout: 0 })).toThrow(FaultSpecError);
    expect(() => createFaultyRedis({ commandTimeout: 0 })).toThrow(/commandTimeout must be a positive number/);
    expect(() => createFaultyRedis({ reconnectDelayMs: -5 })).toThrow(/reconnectDelayMs must be/);
    expect(() => createFaultyRedis({ seed: 1.5 })).toThrow(/seed must be an integer/);
    // A misspelt option is named, not ignored.
    expect(() => createFaultyRedis({ comandTimeout: 10 } as never)).toThrow(FaultSpecError);
    expect(() => createFaultyRedis({ comandTimeout: 10 } as never)).toThrow(/comandTimeout must be absent \(unknown option "comandTimeout"; known options: seed, rules, logLimit, data/);
    expect(() => new FaultPlan({ logLimt: 5 } as never)).toThrow(/logLimt must be absent \(unknown option "logLimt"/);
    // The keys of both the client and its plan are accepted, and a duplicate() keeps working.
    const client = createFaultyRedis({ seed: 3, logLimit: 5, rules: [], keyPrefix: 'p:', commandTimeout: 100 });
    expect(client.faults.seed).toBe(3);
    client.duplicate().disconnect();
    client.disconnect();
  });
});
