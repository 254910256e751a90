import { describe, expect, it } from 'vitest';
import { redactCredentials, redactError } from './redactCredentials.js';

describe('redactCredentials', () => {
  it('hides URL user-info and known secrets wherever they appear', () => {
    expect(redactCredentials('connect redis://app:pw@host:6379/0 failed')).toBe('connect redis://***@host:6379/0 failed');
    expect(redactCredentials('rediss://:x@h')).toBe('rediss://***@h');
    expect(redactCredentials('WRONGPASS for s3cret and again s3cret', ['s3cret'])).toBe('WRONGPASS for *** and again ***');
    expect(redactCredentials('nothing here', ['', 'zzz'])).toBe('nothing here');
  });

  it('replaces an error that mentions a secret by a redacted copy, keeping name and code', () => {
    const original = Object.assign(new Error('auth s3cret rejected'), { code: 'EAUTH' });
    original.name = 'ReplyError';
    const copy = redactError(original, ['s3cret']) as Error & { code?: string };
    expect(copy).not.toBe(original);
    expect(copy.message).toBe('auth *** rejected');
    expect(copy.name).toBe('ReplyError');
    expect(copy.code).toBe('EAUTH');
    expect(copy.stack).not.toContain('s3cret');
    const clean = new Error('ECONNREFUSED');
    expect(redactError(clean, ['s3cret'])).toBe(clean);
  });
});
