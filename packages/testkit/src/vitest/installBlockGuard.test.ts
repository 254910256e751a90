import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spinFor } from '../event-loop/fixtures/blockingCode.js';
import { createBlockGuard, EventLoopBlockedError, type BlockGuard } from './installBlockGuard.js';

/**
 * The guard's threshold sits far above the stalls a loaded machine adds on its own, and the
 * blocks the tests cause last three times as long.
 */
const THRESHOLD_MS = 400;
const BLOCK_MS = 1200;

describe('createBlockGuard', () => {
  let guard: BlockGuard | undefined;
  afterEach(async () => {
    await guard?.stop();
    guard = undefined;
  });

  it('fails the test that blocked, with the stack, and only that test', async () => {
    guard = createBlockGuard({ thresholdMs: THRESHOLD_MS });
    await guard.start();
    await guard.beginTest();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(guard.endTest('quiet test')).resolves.toEqual([]);
    await guard.beginTest();
    spinFor(BLOCK_MS);
    const failure = await guard.endTest('busy test').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(EventLoopBlockedError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^"busy test" blocked the event loop for more than ${THRESHOLD_MS} ms:\n(?:.*\n)*? {2}blocked for \\d+ ms\n {4}at spinFor \\(.*blockingCode\\.ts:9:\\d+\\)`),
    );
    await guard.beginTest();
    await expect(guard.endTest('next test')).resolves.toEqual([]);
  });

  it('blames a test only for blocks that ended after it began', async () => {
    guard = createBlockGuard({ thresholdMs: THRESHOLD_MS });
    await guard.start();
    spinFor(BLOCK_MS); // between tests: the runner's work, a stalled machine
    await guard.beginTest();
    await expect(guard.endTest('later test')).resolves.toEqual([]);
  });

  it('lets the test pass in warn mode and writes the stack to stderr', async () => {
    guard = createBlockGuard({ thresholdMs: THRESHOLD_MS, mode: 'warn' });
    await guard.start();
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await guard.beginTest();
      spinFor(BLOCK_MS);
      const blocks = await guard.endTest('busy test');
      expect(blocks.some((b) => b.frames[0]?.functionName === 'spinFor')).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(new RegExp(`^\\[asyncguard\\] "busy test" blocked the event loop for more than ${THRESHOLD_MS} ms:\n(?:.*\n)*? {2}blocked for \\d+ ms\n {4}at spinFor`));
  });

  it('names a bad mode', () => {
    expect(() => createBlockGuard({ mode: 'loud' as never })).toThrow("installBlockGuard(): options.mode must be 'fail' or 'warn', got loud");
  });
});

describe('installBlockGuard in a real Vitest run', () => {
  const root = fileURLToPath(new URL('./fixtures/guard/', import.meta.url));
  const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  // A whole Vitest run in a child process: its start-up (Vite, transforms, a fork) is seconds of
  // CPU, so its wall time follows the machine's load. The run gets a bound that only a hang
  // reaches, and the test the same bound plus a margin; nothing here asserts how fast it is.
  const RUN_TIMEOUT_MS = 60_000;
  const run = (mode: 'fail') =>
    spawnSync(process.execPath, [vitestBin, 'run', '--root', root, '--config', `${root}vitest.config.ts`, '--reporter', 'verbose'], {
      encoding: 'utf8',
      env: { ...process.env, GUARD_MODE: mode, CI: '', FORCE_COLOR: '0', NO_COLOR: '1' },
      timeout: RUN_TIMEOUT_MS,
    });

  it('fails exactly the blocking test in fail mode, showing the blocking line', () => {
    const result = run('fail');
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(1);
    expect(output).toMatch(/✓ .*awaits only/);
    expect(output).toMatch(/× .*blocks the loop/);
    expect(output).toMatch(/EventLoopBlockedError: "blocks the loop" blocked the event loop for more than 400 ms/);
    expect(output).toMatch(/at rebuildReport \(.*guarded\.fixture\.ts:6:\d+\)/);
  }, RUN_TIMEOUT_MS + 10_000);
});
