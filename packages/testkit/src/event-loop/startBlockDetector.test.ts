import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Block } from './Block.js';
import { findLeakedHandles } from './findLeakedHandles.js';
import { spinFor } from './fixtures/blockingCode.js';
import { realDelay, realNow } from '../timers/realTimers.js';
import { startBlockDetector, type BlockDetector } from './startBlockDetector.js';

/**
 * How long the tests block the loop: far beyond their thresholds (40–100 ms), which a loaded
 * machine's scheduling may cross on its own. So the tests look for the block they caused (the
 * longest, lasting most of BLOCK_MS) instead of counting every block, and a watchdog thread that
 * waits for a core still sees the block while it lasts.
 */
const BLOCK_MS = 1000;
const longest = (blocks: readonly Block[]): Block | undefined => [...blocks].sort((a, b) => b.durationMs - a.durationMs)[0];

const threadCount = (): number | undefined =>
  existsSync('/proc/self/status') ? Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) : undefined;

describe('startBlockDetector', () => {
  let detector: BlockDetector | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await detector?.stop();
    detector = undefined;
  });

  it('records blocks, tells listeners once the loop recovers, and stops listening on unsubscribe', async () => {
    detector = await startBlockDetector({ thresholdMs: 40 });
    const heard: Block[] = [];
    const unsubscribe = detector.on('block', (block) => heard.push(block));
    spinFor(BLOCK_MS);
    await detector.flush();
    expect(heard).toEqual(detector.blocks);
    const spin = longest(heard);
    expect(spin?.frames[0]?.functionName).toBe('spinFor');
    expect(spin!.durationMs).toBeGreaterThan(BLOCK_MS / 2);
    expect(spin!.detectedAfterMs).toBeGreaterThanOrEqual(40);
    unsubscribe();
    const heardBefore = heard.length;
    spinFor(BLOCK_MS);
    await detector.flush();
    expect(detector.blocks.filter((b) => b.durationMs > BLOCK_MS / 2)).toHaveLength(2);
    expect(heard).toHaveLength(heardBefore);
  });

  it('leaves no worker, port, timer or thread behind after stop()', async () => {
    const before = threadCount();
    const leaks = await findLeakedHandles(async () => {
      const running = await startBlockDetector({ thresholdMs: 30 });
      spinFor(80);
      await running.flush();
      await running.stop();
      await running.stop(); // idempotent
    });
    expect(leaks).toEqual([]);
    if (before !== undefined) expect(threadCount()).toBe(before);
  });

  it('does not mistake fake timers for a blocked loop, and still catches a block under them', async () => {
    detector = await startBlockDetector({ thresholdMs: 100 });
    const long = (): Block[] => detector!.blocks.filter((b) => b.durationMs > BLOCK_MS / 2);
    vi.useFakeTimers();
    // Every timer is frozen now; a heartbeat built on timers would see one stall as long as the wait.
    await realDelay(BLOCK_MS);
    await detector.flush();
    expect(long()).toEqual([]);
    // Date is faked too (frozen), so spin on the real clock.
    const end = realNow() + BLOCK_MS;
    while (realNow() < end);
    vi.useRealTimers();
    await detector.flush();
    expect(long()).toHaveLength(1);
  });

  it('keeps a debugger statement a no-op while it watches (no debugger stays attached)', async () => {
    detector = await startBlockDetector({ thresholdMs: 200 });
    const started = performance.now();
    debugger;
    expect(performance.now() - started).toBeLessThan(2000);
    await detector.flush();
    expect(detector.blocks).toEqual([]);
  });

  it('reports durations without stacks when stack capture is off', async () => {
    detector = await startBlockDetector({ thresholdMs: 40, captureStacks: false });
    expect(detector.capturingStacks).toBe(false);
    spinFor(BLOCK_MS);
    await detector.flush();
    expect(longest(detector.blocks)?.durationMs).toBeGreaterThan(BLOCK_MS / 2);
    for (const block of detector.blocks) {
      expect(block.frames).toEqual([]);
      expect(block.capturedAfterMs).toBeUndefined();
    }
  });

  it('names the problem in bad options and unknown events', async () => {
    await expect(startBlockDetector({ intervalMs: Number.NaN })).rejects.toThrow('startBlockDetector(): options.intervalMs must be a positive number of milliseconds, got NaN');
    await expect(startBlockDetector({ captureStacks: 'yes' as never })).rejects.toThrow('options.captureStacks must be a boolean');
    await expect(startBlockDetector({ threshold: 5 } as never)).rejects.toThrow('startBlockDetector(): unknown option "threshold"');
    detector = await startBlockDetector();
    expect(() => detector!.on('blok' as 'block', () => undefined)).toThrow("unknown event blok; expected 'block' or 'error'");
  });
});
