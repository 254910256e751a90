import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from '../CircuitBreaker.js';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import { RedisBreaker } from './RedisBreaker.js';

function make(halfOpenAfterMs: number, halfOpenOnPing = true): { b: RedisBreaker; changes: CircuitState[] } {
  const changes: CircuitState[] = [];
  const b = new RedisBreaker(new CircuitBreaker({ name: 'redis:test', consecutiveFailures: 3, halfOpenAfterMs }), true, halfOpenOnPing, (s) => void changes.push(s));
  return { b, changes };
}

describe('RedisBreaker', () => {
  it('opens after consecutive failures; a success in between resets the count', () => {
    const { b, changes } = make(60_000);
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect(changes).toEqual(['open']);
    expect(b.isOpen()).toBe(true);
    expect(b.tryPass()).toBe(false);
    const error = b.openError('redis.get');
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(59_000);
    expect(error.message).toMatch(/redis:test.*redis\.get/);
  });

  it('lets one trial through when half-open; its success closes the breaker', () => {
    const { b, changes } = make(0);
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.tryPass()).toBe(true); // becomes half-open, takes the trial
    expect(b.tryPass()).toBe(false); // the trial is in flight
    b.success();
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed trial opens it again; release() frees a trial that never ran', () => {
    const { b } = make(0);
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.tryPass()).toBe(true);
    b.release();
    expect(b.tryPass()).toBe(true);
    b.failure();
    expect(b.breaker.snapshot().totals.opened).toBe(2);
  });

  it('counts a health probe as the trial, so it closes without traffic', () => {
    const { b } = make(0);
    for (let i = 0; i < 3; i++) b.failure();
    b.probe(true);
    expect(b.state).toBe('closed');
    for (let i = 0; i < 3; i++) b.failure();
    b.probe(false);
    expect(b.breaker.snapshot().totals.opened).toBe(3);
  });

  it('a PING answered while open ends the wait at once: half-open, and the next call is the trial', () => {
    const { b, changes } = make(60_000);
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.tryPass()).toBe(false);
    b.probe(false); // no answer: still open, still waiting
    expect(b.state).toBe('open');
    b.probe(true);
    expect(b.state).toBe('half-open');
    expect(changes).toEqual(['open', 'half-open']);
    expect(b.tryPass()).toBe(true); // the first call after the PING is let through
    expect(b.tryPass()).toBe(false); // one trial at a time
    b.success();
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('with halfOpenOnPing false, an answered PING leaves it open until the reset timeout', () => {
    const { b, changes } = make(60_000, false);
    for (let i = 0; i < 3; i++) b.failure();
    b.probe(true);
    expect(b.state).toBe('open');
    expect(b.tryPass()).toBe(false);
    expect(changes).toEqual(['open']);
  });
});
