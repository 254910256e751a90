import type { Socket } from 'node:net';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import type { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import type { RedisConnection } from './RedisConnection.js';
import type { RedisManager } from './RedisManager.js';
import { useManagers } from '../../tests/support/useManagers.js';

/** The manager's shared ioredis client and its socket, with every write to the kernel counted. */
function socketOf(m: RedisManager): { client: Redis; stream: Socket; writes: { single: number; vectored: number } } {
  const client = (m as unknown as { connection: RedisConnection }).connection.client as Redis;
  const stream = client.stream as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const writes = { single: 0, vectored: 0 };
  const write = stream._write;
  const writev = stream._writev;
  stream._write = function (this: Socket, ...a: unknown[]) {
    writes.single++;
    write.apply(this, a);
  };
  stream._writev = function (this: Socket, ...a: unknown[]) {
    writes.vectored++;
    writev.apply(this, a);
  };
  return { client, stream, writes };
}

const endOfTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describeWithRedis('RedisManager socket writes', () => {
  const server = useRedisServer();
  const make = useManagers(server);

  it('writes a lone command to the socket within the call, every time', async () => {
    const m = make();
    await m.redis.set('lone', 'v');
    const { client, stream, writes } = socketOf(m);
    for (let i = 0; i < 3; i++) {
      const before = writes.single;
      const reply = m.redis.get('lone');
      // Synchronously after the call: handed to the kernel, nothing held in the stream's buffer.
      expect(writes.single).toBe(before + 1);
      expect(stream.writableCorked).toBe(0);
      expect(stream.writableLength).toBe(0);
      expect(client.commandQueue.length).toBe(1);
      expect(await reply).toBe('v');
    }
    expect(writes.vectored).toBe(0);
  });

  it('sends a burst issued in one tick as the first command plus one writev of the rest', async () => {
    const m = make();
    await m.redis.ping();
    const { client, stream, writes } = socketOf(m);
    const replies = Array.from({ length: 20 }, (_, i) => m.redis.set(`burst:${i}`, String(i)));
    // The first went out in its call; the other 19 wait in the corked stream until the tick ends.
    expect(writes).toEqual({ single: 1, vectored: 0 });
    expect(stream.writableCorked).toBe(1);
    expect(stream.writableLength).toBeGreaterThan(0);
    expect(client.commandQueue.length).toBe(20);
    await endOfTick();
    expect(writes).toEqual({ single: 1, vectored: 1 });
    expect(stream.writableCorked).toBe(0);
    expect(stream.writableLength).toBe(0);
    expect(await Promise.all(replies)).toEqual(Array.from({ length: 20 }, () => 'OK'));
    expect(await m.redis.mget(['burst:0', 'burst:19'])).toEqual(['0', '19']);
    expect(m.stats().calls.ok).toBe(22);
  });

  it('sends a burst resumed by a read a third at a time as it is issued, the last part in one writev at the end of the tick', async () => {
    const m = make();
    await m.redis.ping();
    const { client, stream, writes } = socketOf(m);
    // Six callers resumed by six replies, with nothing left in flight: Redis is idle, waiting for them.
    await Promise.all(Array.from({ length: 6 }, (_, i) => m.redis.set(`resumed:${i}`, String(i))));
    const before = { ...writes };
    const replies: Promise<string | null>[] = [];
    const sent: number[] = [];
    for (const i of [0, 1, 2, 3, 4, 5, 0, 1]) {
      replies.push(m.redis.get(`resumed:${i}`));
      sent.push(writes.vectored - before.vectored);
      expect(stream.writableCorked).toBe(1);
    }
    // Parts of two (a third of six): what is held leaves as the third, fifth and seventh command come.
    expect(sent).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(writes.single).toBe(before.single);
    expect(client.commandQueue.length).toBe(8);
    await endOfTick();
    expect(writes).toEqual({ single: before.single, vectored: before.vectored + 4 });
    expect(stream.writableCorked).toBe(0);
    expect(stream.writableLength).toBe(0);
    expect(await Promise.all(replies)).toEqual(['0', '1', '2', '3', '4', '5', '0', '1']);
  });

  it('settles the call (stats, in flight) before its caller resumes', async () => {
    const m = make();
    await m.redis.ping();
    // The first reaction on the returned promise already sees the call settled.
    const seen = await m.redis.get('missing').then((value) => ({ value, inFlight: m.stats().inFlight, ok: m.stats().calls.ok }));
    expect(seen).toEqual({ value: null, inFlight: 0, ok: 2 });
  });
});
