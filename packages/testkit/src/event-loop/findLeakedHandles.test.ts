import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeWithRedis, useRedisServer } from '../vitest/redis.js';
import { findLeakedHandles } from './findLeakedHandles.js';

describeWithRedis('findLeakedHandles with a real ioredis client', () => {
  const server = useRedisServer();

  it('reports a client left connected as an ioredis client, with where it was created', async () => {
    let client: Redis | undefined;
    try {
      const leaks = await findLeakedHandles(async () => {
        client = new Redis({ host: server().host, port: server().port, lazyConnect: true });
        await client.connect();
        await client.ping();
      }, { settleMs: 20 });
      const socket = leaks.find((leak) => leak.kind === 'ioredis-client' && leak.type === 'TCPWRAP');
      expect(socket, JSON.stringify(leaks, null, 2)).toBeDefined();
      expect(socket!.description).toBe(`TCP socket to 127.0.0.1:${server().port} (ioredis client: call quit() or disconnect())`);
      expect(socket!.createdAt.some((line) => line.includes('findLeakedHandles.test.ts')), socket!.createdAt.join('\n')).toBe(true);
    } finally {
      client?.disconnect();
    }
  });

  it('reports nothing once the client has quit', async () => {
    const leaks = await findLeakedHandles(async () => {
      const client = new Redis({ host: server().host, port: server().port, lazyConnect: true });
      await client.connect();
      await client.ping();
      await client.quit();
    });
    expect(leaks).toEqual([]);
  });
});

describe('findLeakedHandles', () => {
  it('reports an unref\'d timer unless the ignore option accepts it', async () => {
    let timer: NodeJS.Timeout | undefined;
    const leave = (): void => {
      timer = setTimeout(() => undefined, 60_000).unref();
    };
    try {
      const leaks = await findLeakedHandles(leave);
      expect(leaks.map((l) => [l.kind, l.ref])).toEqual([['timer', false]]);
      clearTimeout(timer);
      expect(await findLeakedHandles(leave, { ignore: (h) => h.kind === 'timer' && !h.ref })).toEqual([]);
    } finally {
      clearTimeout(timer);
    }
  });

  it('names a bad settleMs and a non-function', async () => {
    await expect(findLeakedHandles(() => undefined, { settleMs: -1 })).rejects.toThrow('findLeakedHandles(): options.settleMs must be a non-negative number');
    await expect(findLeakedHandles(42 as never)).rejects.toThrow('findLeakedHandles(): fn must be a function, got number');
    await expect(findLeakedHandles(() => undefined, { ignore: 'timers' as never })).rejects.toThrow('findLeakedHandles(): options.ignore must be a function, got string');
    await expect(findLeakedHandles(() => undefined, { settle: 5 } as never)).rejects.toThrow('findLeakedHandles(): unknown option "settle" (known options: settleMs, ignore)');
  });
});
