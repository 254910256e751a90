import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Bulkhead } from '../Bulkhead.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { RedisUnavailableError } from '../errors/RedisUnavailableError.js';
import { remainingBudget } from '../withDeadline.js';
import { withTimeout } from '../withTimeout.js';
import { asyncguardDeadlines, type DeadlinePluginOptions } from './deadlinePlugin.js';
import { errorReply } from './errorReply.js';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(options: DeadlinePluginOptions, routes: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  await app.register(asyncguardDeadlines, options);
  routes(app);
  await app.ready();
  return app;
}

describe('@asyncguard/runtime/fastify: deadlines', () => {
  it('runs a handler under the route deadline (config.deadlineMs over defaultMs)', async () => {
    const a = await build({ defaultMs: 5000 }, (a) => {
      a.get('/route', { config: { deadlineMs: 300 } }, async () => ({ left: remainingBudget() }));
      a.get('/default', async () => ({ left: remainingBudget() }));
      a.get('/off', { config: { deadlineMs: false } }, async () => ({ left: remainingBudget() ?? null }));
    });
    const route = (await a.inject({ method: 'GET', url: '/route' })).json<{ left: number }>().left;
    expect(route).toBeGreaterThan(0);
    expect(route).toBeLessThanOrEqual(300);
    const def = (await a.inject({ method: 'GET', url: '/default' })).json<{ left: number }>().left;
    expect(def).toBeGreaterThan(300);
    expect(def).toBeLessThanOrEqual(5000);
    expect((await a.inject({ method: 'GET', url: '/off', headers: { 'x-request-timeout': '50' } })).json()).toEqual({ left: null });
  });

  it('lets the request header shorten the deadline, capped by maxMs', async () => {
    const a = await build({ defaultMs: 1000, maxMs: 2000 }, (a) => {
      a.get('/', async () => ({ left: remainingBudget() }));
    });
    const left = async (value: string): Promise<number> => (await a.inject({ method: 'GET', url: '/', headers: { 'x-request-timeout': value } })).json<{ left: number }>().left;
    expect(await left('50')).toBeLessThanOrEqual(50);
    const capped = await left('999999');
    expect(capped).toBeGreaterThan(1000);
    expect(capped).toBeLessThanOrEqual(2000);
  });

  it('without maxMs, the header can only shorten the route deadline', async () => {
    const a = await build({ defaultMs: 200 }, (a) => {
      a.get('/', async () => ({ left: remainingBudget() }));
    });
    const res = await a.inject({ method: 'GET', url: '/', headers: { 'x-request-timeout': '60000' } });
    expect(res.json<{ left: number }>().left).toBeLessThanOrEqual(200);
  });

  it('answers 400 naming the header for a malformed deadline header', async () => {
    const a = await build({ defaultMs: 1000 }, (a) => {
      a.get('/', async () => 'ok');
    });
    for (const bad of ['soon', '-5', '0', '1.5']) {
      const res = await a.inject({ method: 'GET', url: '/', headers: { 'x-request-timeout': bad } });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/x-request-timeout must be a whole number of milliseconds/);
    }
  });

  it('maps a call cut by the route deadline to 504 with a JSON body naming the call and the route', async () => {
    const a = await build({}, (a) => {
      a.get('/facts/:id', { config: { deadlineMs: 30 } }, async () => withTimeout(never(), 2000, { operation: 'redis.hgetall' }));
    });
    const res = await a.inject({ method: 'GET', url: '/facts/1' });
    expect(res.statusCode).toBe(504);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json()).toMatchObject({ error: 'Gateway Timeout', operation: 'redis.hgetall', firedBy: 'deadline', deadlineOperation: 'GET /facts/:id' });
  });

  it('maps a handler that outlives its deadline (awaiting nothing that clamps) to 504 naming the route', async () => {
    const a = await build({}, (a) => {
      a.get('/slow', { config: { deadlineMs: 30 } }, async () => never());
    });
    const res = await a.inject({ method: 'GET', url: '/slow' });
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ operation: 'GET /slow', firedBy: 'budget', deadlineOperation: 'GET /slow' });
  });

  it('maps breaker, bulkhead and Redis refusals to 503 with Retry-After', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueue: 0, operation: 'search' });
    let release: () => void = () => {};
    const a = await build({ defaultMs: 5000, retryAfterSeconds: 2 }, (a) => {
      a.get('/open', async () => {
        throw new CircuitOpenError({ operation: 'redis.get', breaker: 'redis', state: 'open', retryAfterMs: 4200 });
      });
      a.get('/full', async () => bulkhead.execute(() => 'x'));
      a.get('/down', async () => {
        throw new RedisUnavailableError({ operation: 'redis.set', reason: 'connection refused', outcome: 'not-sent' });
      });
    });
    const open = await a.inject({ method: 'GET', url: '/open' });
    expect(open.statusCode).toBe(503);
    expect(open.headers['retry-after']).toBe('5'); // the breaker's own wait, rounded up
    expect(open.json()).toMatchObject({ error: 'Service Unavailable', operation: 'redis.get' });

    const running = bulkhead.execute(() => new Promise<void>((resolve) => (release = resolve)));
    const full = await a.inject({ method: 'GET', url: '/full' });
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('2');
    expect(full.json()).toMatchObject({ operation: 'search' });
    release();
    await running;

    const down = await a.inject({ method: 'GET', url: '/down' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ operation: 'redis.set' });
  });

  it('passes other errors to Fastify and keeps sync handlers that reply later under their deadline', async () => {
    const a = await build({ defaultMs: 500 }, (a) => {
      a.get('/boom', async () => {
        throw new Error('boom');
      });
      a.get('/later', (_request, reply) => {
        setTimeout(() => void reply.send({ left: remainingBudget() }), 5);
      });
    });
    const boom = await a.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    const later = await a.inject({ method: 'GET', url: '/later' });
    expect(later.statusCode).toBe(200);
    expect(later.json<{ left: number }>().left).toBeGreaterThan(0);
    expect(later.json<{ left: number }>().left).toBeLessThanOrEqual(500);
  });

  it('leaves error handling to the app with errorHandler: false, and a configurable timeout status', async () => {
    const a = await build({ defaultMs: 20, errorHandler: false }, (a) => {
      a.setErrorHandler((error, _request, reply) => {
        const mapped = errorReply(error, { timeoutStatusCode: 503 });
        if (mapped === undefined) return reply.code(500).send({ error: 'other' });
        return reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
      });
      a.get('/', async () => never());
    });
    const res = await a.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ error: 'Service Unavailable', operation: 'GET /' });
  });

  it('rejects bad options and route deadlines by name', async () => {
    const bad = async (options: unknown): Promise<unknown> => {
      const a = Fastify();
      try {
        await a.register(asyncguardDeadlines, options as DeadlinePluginOptions);
        await a.ready();
        return undefined;
      } catch (error) {
        return error;
      } finally {
        await a.close();
      }
    };
    expect(String(await bad({ defaultMs: -1 }))).toMatch(/options\.defaultMs must not be negative/);
    expect(String(await bad({ deadline: 5 }))).toMatch(/unknown option "deadline"/);
    expect(String(await bad({ timeoutStatusCode: 404 }))).toMatch(/timeoutStatusCode must be a 5xx status/);
    expect(String(await bad({ header: '' }))).toMatch(/options\.header/);
    await expect(
      build({}, (a) => {
        a.get('/', { config: { deadlineMs: Number.NaN } }, async () => 'x');
      }),
    ).rejects.toThrow(/route GET \/: config\.deadlineMs must be a number/);
  });
});

describe('errorReply', () => {
  it('leaves other errors alone', () => {
    expect(errorReply(new Error('x'))).toBeUndefined();
    expect(errorReply('string')).toBeUndefined();
  });
});
