import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodemodInputError, runCodemod, type TransformId } from '../src/index.js';
import { FIXTURES } from './support/fixtureHarness.js';

describe('runCodemod input checks', () => {
  it('names an unknown transform', async () => {
    const error = await runCodemod({ project: FIXTURES, transforms: ['nope' as TransformId] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodemodInputError);
    expect((error as CodemodInputError).option).toBe('transforms');
    expect((error as Error).message).toContain('unknown transform "nope" (known: sync-to-async,');
  });

  it('names a missing project and a missing path', async () => {
    const missing = await runCodemod({ project: join(FIXTURES, 'no-such-dir') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CodemodInputError);
    expect((missing as CodemodInputError).option).toBe('project');
    const path = await runCodemod({ project: FIXTURES, paths: ['definitely/not/here.ts'], cwd: FIXTURES }).catch((e: unknown) => e);
    expect((path as CodemodInputError).option).toBe('paths');
    expect((path as Error).message).toBe('paths: definitely/not/here.ts does not exist');
  });
});
