import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { pingOnce } from '@asyncguard/testkit';
import { redisTestsAvailable } from '@asyncguard/testkit/vitest';
import type { StoredFact } from '@asyncguard-examples/kb-shared';
import { createKnowledgeBaseServer, resolveRedis, startInMemoryRedis, type InMemoryRedis, type ResolvedRedis } from '../src/index.js';

describe('startInMemoryRedis', () => {
  let memory: InMemoryRedis | undefined;
  let client: Redis | undefined;
  afterEach(async () => {
    client?.disconnect();
    client = undefined;
    await memory?.close();
    memory = undefined;
  });

  it('speaks RESP to ioredis: hashes, pipelines, SCAN, errors', async () => {
    memory = await startInMemoryRedis();
    client = new Redis(memory.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    expect(await client.hset('kb:fact:1', { text: 'hello', n: '2' })).toBe(2);
    expect(await client.hgetall('kb:fact:1')).toEqual({ text: 'hello', n: '2' });
    expect(await client.hgetall('missing')).toEqual({});
    const replies = await client.pipeline().set('a', '1').get('a').incr('a').exec();
    expect(replies).toEqual([
      [null, 'OK'],
      [null, '1'],
      [null, 2],
    ]);
    const [cursor, keys] = await client.scan('0', 'MATCH', 'kb:fact:*', 'COUNT', 100);
    expect(cursor).toBe('0');
    expect(keys).toEqual(['kb:fact:1']);
    await expect(client.call('nosuchcommand')).rejects.toThrow(/unknown command/);
  });

  it('answers an inline PING, and close() drops its clients', async () => {
    memory = await startInMemoryRedis();
    expect(await pingOnce(memory.host, memory.port)).toBe(true);
    client = new Redis(memory.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await client.connect();
    const ended = new Promise((resolve) => client?.once('end', resolve));
    await memory.close();
    await ended;
    expect(await pingOnce(memory.host, memory.port, 200)).toBe(false);
  });
});

describe('resolveRedis (the embedded default)', () => {
  let resolved: ResolvedRedis | undefined;
  afterEach(async () => {
    await resolved?.stop();
    resolved = undefined;
  });

  it('uses REDIS_URL as it is', async () => {
    resolved = await resolveRedis({ url: 'redis://10.0.0.1:6390' });
    expect(resolved).toMatchObject({ url: 'redis://10.0.0.1:6390', kind: 'external' });
  });

  it.runIf(redisTestsAvailable())('starts a private redis-server when one is on PATH', async () => {
    const lines: string[] = [];
    resolved = await resolveRedis({ warn: (line) => lines.push(line) });
    expect(resolved.kind).toBe('redis-server');
    expect(lines).toEqual([]);
    const url = new URL(resolved.url);
    expect(await pingOnce(url.hostname, Number(url.port))).toBe(true);
  });

  it('falls back to an in-memory Redis with one warning line when there is no redis-server', async () => {
    const lines: string[] = [];
    resolved = await resolveRedis({ warn: (line) => lines.push(line), env: { PATH: '/nonexistent' } });
    expect(resolved.kind).toBe('in-memory');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/in-memory Redis/);
  });

  it('runs the service over the in-memory Redis: facts survive a restart of the service', async () => {
    resolved = await resolveRedis({ warn: () => {}, env: { PATH: '/nonexistent' } });
    const documentsDir = await mkdtemp(join(tmpdir(), 'kb-mem-'));
    try {
      let { app } = createKnowledgeBaseServer({ redisUrl: resolved.url, documentsDir });
      const created = await app.inject({ method: 'POST', url: '/facts', payload: { text: 'kept in memory', metadata: { n: 1 } } });
      expect(created.statusCode).toBe(201);
      const { id } = created.json<{ id: string }>();
      await app.close();

      ({ app } = createKnowledgeBaseServer({ redisUrl: resolved.url, documentsDir }));
      try {
        expect((await app.inject({ method: 'GET', url: `/facts/${id}` })).json<StoredFact>()).toMatchObject({ text: 'kept in memory', metadata: { n: 1 } });
        const search = await app.inject({ method: 'GET', url: '/search?q=memory' });
        expect(search.json<{ results: { sourceId: string }[] }>().results[0]?.sourceId).toBe(id);
      } finally {
        await app.close();
      }
    } finally {
      await rm(documentsDir, { recursive: true, force: true });
    }
  });
});
