import { describe, expect, it } from 'vitest';
import { FaultPlan } from './FaultPlan.js';
import { FaultSpecError } from './FaultSpecError.js';
import { redisGlob } from './redisGlob.js';
import { redisKeySlot } from './redisKeySlot.js';

describe('FaultPlan matching', () => {
  it('matches by command (case-insensitive) and key glob, and logs every call', () => {
    const plan = new FaultPlan({ seed: 1 });
    const rule = plan.on('HSET', { key: 'fact:*' }).fail('READONLY');
    expect(plan.decide('hset', ['fact:1', 'f', 'v']).outcome).toEqual({
      type: 'error',
      kind: 'READONLY',
      reply: "READONLY You can't write against a read only replica.",
    });
    expect(plan.decide('hset', ['user:1', 'f', 'v']).outcome.type).toBe('pass');
    expect(plan.decide('get', ['fact:1']).outcome.type).toBe('pass');
    expect(rule.hits).toBe(1);
    expect(plan.log.map((e) => [e.command, e.keys[0], e.outcome, e.rules])).toEqual([
      ['hset', 'fact:1', 'error', [rule.id]],
      ['hset', 'user:1', 'pass', []],
      ['get', 'fact:1', 'pass', []],
    ]);
  });

  it('applies nth and times, then recovers (failTimes)', () => {
    const plan = new FaultPlan({ seed: 1 });
    plan.on('get', { nth: [2, 4] }).hang();
    const outcomes = [1, 2, 3, 4, 5].map(() => plan.decide('get', ['k']).outcome.type);
    expect(outcomes).toEqual(['pass', 'hang', 'pass', 'hang', 'pass']);

    const recovering = new FaultPlan({ seed: 1 });
    const rule = recovering.on('set').failTimes(2, 'OOM');
    const seen = [1, 2, 3, 4].map(() => recovering.decide('set', ['k', 'v']).outcome.type);
    expect(seen).toEqual(['error', 'error', 'pass', 'pass']);
    expect(rule.active).toBe(false);
  });

  it('adds delays of every matching rule and lets the first terminal rule decide', () => {
    const plan = new FaultPlan({ seed: 1 });
    plan.on('*').delay(10);
    plan.on('get').delay({ min: 20, max: 30 });
    plan.on('get').fail('LOADING');
    plan.on('get').hang();
    const d = plan.decide('get', ['k']);
    expect(d.delayMs).toBeGreaterThanOrEqual(30);
    expect(d.delayMs).toBeLessThanOrEqual(40);
    expect(d.outcome.type).toBe('error');
    expect(d.entry.rules).toEqual(['r1', 'r2', 'r3']);
  });

  it('replays the same decisions from the same seed and differs with another seed', () => {
    const run = (seed: number): string => {
      const plan = new FaultPlan({ seed });
      plan.on('get', { probability: 0.5 }).fail();
      plan.on('get').delay(100, { jitter: 50 });
      return Array.from({ length: 64 }, () => {
        const d = plan.decide('get', ['k']);
        return `${d.outcome.type}:${d.delayMs.toFixed(3)}`;
      }).join(',');
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
    const hits = run(7).split(',').filter((s) => s.startsWith('error')).length;
    expect(hits).toBeGreaterThan(16);
    expect(hits).toBeLessThan(48);
  });

  it('adds and removes rules at runtime; clear() empties the plan', () => {
    const plan = new FaultPlan({ seed: 3 });
    const a = plan.on('get').fail();
    expect(plan.decide('get', ['k']).outcome.type).toBe('error');
    a.remove();
    expect(plan.decide('get', ['k']).outcome.type).toBe('pass');
    const b = plan.add({ command: ['get', 'set'], action: { type: 'disconnect' } });
    expect(plan.decide('set', ['k', 'v']).outcome.type).toBe('disconnect');
    expect(plan.remove(b.id)).toBe(true);
    expect(plan.remove(b.id)).toBe(false);
    plan.on('get').hang();
    plan.clear();
    expect(plan.rules).toHaveLength(0);
    expect(plan.decide('get', ['k']).outcome.type).toBe('pass');
  });

  it('builds MOVED replies with the real slot of the key and ECONNRESET as a reset', () => {
    const plan = new FaultPlan({ seed: 1, rules: [{ command: 'get', action: { type: 'fail', kind: 'MOVED' } }] });
    plan.on('set').reset();
    expect(plan.decide('get', ['foo']).outcome).toMatchObject({ reply: 'MOVED 12182 127.0.0.1:6380' });
    expect(plan.decide('set', ['foo', '1']).outcome).toEqual({ type: 'reset' });
    expect(redisKeySlot('{user1000}.following')).toBe(redisKeySlot('user1000'));
  });

  it('matches multi-key commands when any key matches', () => {
    const plan = new FaultPlan({ seed: 1 });
    plan.on(['del', 'mset', 'eval'], { key: 'lock:*' }).fail('ERR', 'nope');
    expect(plan.decide('del', ['a', 'lock:1']).outcome).toMatchObject({ reply: 'ERR nope' });
    expect(plan.decide('mset', ['a', 'lock:1', 'lock:2', 'x']).outcome.type).toBe('error');
    expect(plan.decide('mset', ['a', 'lock:1']).outcome.type).toBe('pass');
    expect(plan.decide('eval', ['return 1', '1', 'lock:9']).outcome.type).toBe('error');
  });
});

describe('FaultPlan log', () => {
  it('keeps the last logLimit calls and says how to replay', () => {
    const plan = new FaultPlan({ seed: 9, logLimit: 3 });
    for (let i = 0; i < 10; i++) plan.decide('get', [`k${i}`]);
    expect(plan.log.map((e) => e.keys[0])).toEqual(['k7', 'k8', 'k9']);
    expect(plan.log.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(plan.describe()).toMatch(/seed 9 .*ASYNCGUARD_FAULT_SEED=9/);
    plan.clearLog();
    expect(plan.log).toHaveLength(0);
  });
});

describe('redisGlob', () => {
  it('follows Redis glob rules', () => {
    expect(redisGlob('h?llo').test('hello')).toBe(true);
    expect(redisGlob('h[ae]llo').test('hallo')).toBe(true);
    expect(redisGlob('h[^e]llo').test('hello')).toBe(false);
    expect(redisGlob('h[a-b]llo').test('hbllo')).toBe(true);
    expect(redisGlob('fact:\\*').test('fact:*')).toBe(true);
    expect(redisGlob('fact:\\*').test('fact:1')).toBe(false);
    expect(redisGlob('a.b').test('axb')).toBe(false);
  });
});

describe('bad specs', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['probability out of range', () => new FaultPlan().on('get', { probability: 1.5 }).fail(), /faults\.on\("get"\)\.probability must be a number from 0 to 1, got 1\.5/],
    ['negative delay', () => new FaultPlan().on('get').delay(-1), /action\.ms must be a finite number of milliseconds >= 0, got -1/],
    ['max below min', () => new FaultPlan().on('get').delay({ min: 10, max: 5 }), /action\.max must be at least min \(10\)/],
    ['unknown fail kind', () => new FaultPlan().on('get').fail('NOPE' as never), /action\.kind must be one of ERR, READONLY, OOM, LOADING, MOVED, ECONNRESET, got "NOPE"/],
    ['zero times', () => new FaultPlan().on('get').failTimes(0), /times must be a positive integer, got 0/],
    ['bad nth', () => new FaultPlan().on('get', { nth: [1, 0] }).hang(), /nth\[1\] must be a positive integer, got 0/],
    ['glob not a string', () => new FaultPlan().on('get', { key: 42 as never }).hang(), /key must be a glob string, got 42/],
    ['bad command', () => new FaultPlan().on('g et').hang(), /command must be a Redis command name/],
    ['unknown field', () => new FaultPlan({ rules: [{ command: 'get', action: { type: 'hang' }, chance: 1 } as never] }), /rules\[0\]\.chance must be absent/],
    ['unknown action', () => new FaultPlan({ rules: [{ action: { type: 'explode' } } as never] }), /rules\[0\]\.action\.type must be one of/],
    ['bad seed', () => new FaultPlan({ seed: -1 }), /seed must be an integer from 0 to 4294967295, got -1/],
  ];
  it.each(cases)('rejects %s with a FaultSpecError naming the field', (_name, make, message) => {
    expect(make).toThrow(FaultSpecError);
    expect(make).toThrow(message);
  });

  it('leaves the plan empty when one of its initial rules is bad', () => {
    expect(() => new FaultPlan({ rules: [{ action: { type: 'hang' } }, { action: { type: 'delay', ms: Number.NaN } }] })).toThrow(/rules\[1\]\.action\.ms/);
  });
});
