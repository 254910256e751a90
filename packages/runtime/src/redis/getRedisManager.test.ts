import { afterEach, describe, expect, it } from 'vitest';
import { closeAllRedisManagers, createRedisManager, getRedisManager } from './getRedisManager.js';
import { handleSnapshot } from '../../tests/support/faultHarness.js';

describe('getRedisManager registry', () => {
  afterEach(async () => {
    await closeAllRedisManagers();
  });

  it('returns one shared instance per name, created lazily (no socket)', async () => {
    const handles = handleSnapshot();
    const a = getRedisManager({ name: 'reg-a', port: 6399 });
    expect(getRedisManager({ name: 'reg-a', port: 6399 })).toBe(a);
    expect(getRedisManager({ name: 'reg-a' })).toBe(a);
    const b = getRedisManager({ name: 'reg-b', port: 6399 });
    expect(b).not.toBe(a);
    expect(a.health().state).toBe('idle');
    expect(await handles.grown()).toEqual({});
  });

  it('refuses the same name with different options', () => {
    getRedisManager({ name: 'reg-c', port: 6399 });
    expect(() => getRedisManager({ name: 'reg-c', port: 6400 })).toThrow(/a manager named "reg-c" already exists with different options/);
  });

  it('forgets a closed manager so the name can be used again; closeAll closes created ones too', async () => {
    const first = getRedisManager({ name: 'reg-d', port: 6399 });
    await first.close();
    const second = getRedisManager({ name: 'reg-d', port: 6400 });
    expect(second).not.toBe(first);
    const explicit = createRedisManager({ name: 'reg-d', port: 6401 });
    expect(explicit).not.toBe(second);
    await closeAllRedisManagers();
    expect(second.closed).toBe(true);
    expect(explicit.closed).toBe(true);
  });

  it('reads REDIS_URL when no address is given', () => {
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = 'redis://example.invalid:6390/2';
    try {
      const m = getRedisManager({ name: 'reg-env' });
      expect(m.health().target).toBe('redis://example.invalid:6390/2');
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });
});
