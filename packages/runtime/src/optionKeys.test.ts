/**
 * Every options object of the runtime rejects a key it does not know, naming it (a misspelt
 * option silently ignored leaves the default it meant to change), in the same words as
 * RedisManager's options: `<owner>: unknown option "<key>"`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Bulkhead } from './Bulkhead.js';
import { CircuitBreaker } from './CircuitBreaker.js';
import { monitorEventLoop } from './eventLoop/monitorEventLoop.js';
import { fallback } from './fallback.js';
import { fromDocumentsWithBudget } from './llamaindex/fromDocumentsWithBudget.js';
import { RedisKVStore } from './llamaindex/RedisKVStore.js';
import { withBudgets } from './llamaindex/withBudgets.js';
import { lazy } from './lazy.js';
import { closeOffloadPool, OffloadPool, offload } from './offload.js';
import { resolveRedisManagerOptions } from './redis/RedisManagerOptions.js';
import { retry, retryPolicy } from './retry.js';
import { timeoutPolicy } from './timeoutPolicy.js';
import { withDeadline } from './withDeadline.js';
import { withTimeout } from './withTimeout.js';

const never = (): Promise<never> => new Promise(() => undefined);

describe('unknown option keys', () => {
  afterAll(async () => {
    await closeOffloadPool(); // offload() made the shared pool before it looked at the options
  });

  it.each([
    ['CircuitBreaker', () => new CircuitBreaker({ halfOpenAfter: 5 } as never), /^CircuitBreaker: unknown option "halfOpenAfter" \(known: name, consecutiveFailures, /],
    ['CircuitBreaker failureRate', () => new CircuitBreaker({ failureRate: { threshold: 0.5, window: 10 } } as never), /^CircuitBreaker: unknown option "failureRate\.window" \(known: failureRate\.threshold, /],
    ['CircuitBreaker slowCalls', () => new CircuitBreaker({ slowCalls: { durationMs: 5, threshold: 0.5, slowMs: 1 } } as never), /^CircuitBreaker: unknown option "slowCalls\.slowMs"/],
    ['Bulkhead', () => new Bulkhead({ maxConcurrent: 1, maxQueued: 5 } as never), /^Bulkhead: unknown option "maxQueued" \(known: maxConcurrent, maxQueue, /],
    ['retry', () => retry(never, { attempts: 3 } as never), /^retry: unknown option "attempts"/],
    ['retryPolicy', () => retryPolicy({ maxAttempts: 2, signal: AbortSignal.abort() } as never), /^retryPolicy: unknown option "signal"/],
    ['withTimeout', () => withTimeout(never, 10, { operationName: 'x' } as never), /^withTimeout: unknown option "operationName" \(known: operation, signal, onLateRejection, outcome\)/],
    ['timeoutPolicy', () => timeoutPolicy(10, { signal: AbortSignal.abort() } as never), /^timeoutPolicy: unknown option "signal" \(known: operation, onLateRejection, outcome\)/],
    ['lazy', () => lazy(never, { backoffMs: 5 } as never), /^lazy: unknown option "backoffMs"/],
    ['OffloadPool', () => new OffloadPool({ threads: 2 } as never), /^OffloadPool: unknown option "threads"/],
    ['offload', () => offload((x: number) => x, [1], { timeoutMs: 5 } as never), /^offload: unknown option "timeoutMs"/],
    ['RedisManager', () => resolveRedisManagerOptions({ healthInterval: 5 } as never), /^RedisManager: unknown option "healthInterval"/],
    ['withDeadline', () => withDeadline(10, () => 1, { name: 'x' } as never), /^withDeadline: unknown option "name" \(known: operation\)$/],
    ['fallback', () => fallback(() => 1, 0, { logger: console } as never), /^fallback: unknown option "logger" \(known: log, level, operation, when\)$/],
    ['withBudgets', () => withBudgets({ retrieve: () => Promise.resolve([]) }, { retrieveTimeoutMs: 5 } as never), /^withBudgets: unknown option "retrieveTimeoutMs" \(known: retrieveMs, queryMs, budgets, name, logger\)$/],
    ['RedisKVStore', () => new RedisKVStore({ redis: { hget: () => undefined } } as never, { prefix: 'kb' } as never), /^RedisKVStore: unknown option "prefix" \(known: namespace\)$/],
  ])('%s', (_name, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it('fromDocumentsWithBudget rejects (it returns a promise)', async () => {
    await expect(fromDocumentsWithBudget([], undefined, { timeoutMs: 5 } as never)).rejects.toThrow(/^fromDocumentsWithBudget: unknown option "timeoutMs" \(known: budgetMs, logger\)$/);
  });

  it('monitorEventLoop (rejects, as it is async)', async () => {
    const error = await monitorEventLoop({ thresholdMs: 50, treshold: 5 } as never).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^monitorEventLoop: unknown option "treshold" \(known: thresholdMs, onBlock, meter, logger, intervalMs, captureStacks, maxFrames, keepRecent, onError\)/);
  });

  it('still takes every documented key', () => {
    expect(() => new CircuitBreaker({ name: 'b', consecutiveFailures: 2, failureRate: { threshold: 0.5, windowMs: 1000, minimumCalls: 2 }, slowCalls: { durationMs: 5, threshold: 0.5, windowMs: 1000, minimumCalls: 2 }, halfOpenAfterMs: 5, halfOpenTrials: 1, isFailure: () => true })).not.toThrow();
    expect(() => new Bulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 5, name: 'b', operation: 'op' })).not.toThrow();
    expect(() => timeoutPolicy(10, { operation: 'op', onLateRejection: () => undefined, outcome: 'unknown' })).not.toThrow();
    expect(() => retryPolicy({ maxAttempts: 2, maxElapsedMs: 5, initialDelayMs: 1, maxDelayMs: 2, factor: 2, retryOn: () => true, onRetry: () => undefined, random: Math.random })).not.toThrow();
    expect(() => lazy(never, { initialBackoffMs: 1, maxBackoffMs: 2, dispose: () => undefined, name: 'l' })).not.toThrow();
    expect(() => withBudgets({ retrieve: () => Promise.resolve([]) }, { retrieveMs: 5, queryMs: 5, name: 'kb', logger: undefined, budgets: undefined })).not.toThrow();
    expect(() => new RedisKVStore({ redis: { hget: () => undefined } } as never, { namespace: 'kb' })).not.toThrow();
  });
});
