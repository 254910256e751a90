import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Block } from './Block.js';
import { findLeakedHandles } from './findLeakedHandles.js';
import { spinFor } from './fixtures/blockingCode.js';
import { realDelay, realNow } from '../timers/realTimers.js';
import { startBlockDetector, type BlockDetector } from './startBlockDetector.js';

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
    spinFor(150);
    await detector.flush();
    expect(detector.blocks).toHaveLength(1);
    expect(heard).toEqual(detector.blocks);
    expect(heard[0]!.frames[0]!.functionName).toBe('spinFor');
    expect(heard[0]!.detectedAfterMs).toBeGreaterThanOrEqual(40);
    unsubscribe();
    spinFor(150);
    await detector.flush();
    expect(detector.blocks).toHaveLength(2);
    expect(heard).toHaveLength(1);
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
    vi.useFakeTimers();
    // Every timer is frozen now; a heartbeat built on timers would look like a 150 ms stall.
    await realDelay(150);
    await detector.flush();
    expect(detector.blocks).toEqual([]);
    // Date is faked too (frozen), so spin on the real clock.
    const end = realNow() + 250;
    while (realNow() < end);
    vi.useRealTimers();
    await detector.flush();
    expect(detector.blocks).toHaveLength(1);
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
    spinFor(120);
    await detector.flush();
    expect(detector.blocks).toHaveLength(1);
    expect(detector.blocks[0]!.frames).toEqual([]);
    expect(detector.blocks[0]!.capturedAfterMs).toBeUndefined();
  });

  it('names the problem in bad options and unknown events', async () => {
    await expect(startBlockDetector({ intervalMs: Number.NaN })).rejects.toThrow('startBlockDetector(): options.intervalMs must be a positive number of milliseconds, got NaN');
    await expect(startBlockDetector({ captureStacks: 'yes' as never })).rejects.toThrow('options.captureStacks must be a boolean');
    await expect(startBlockDetector({ threshold: 5 } as never)).rejects.toThrow('startBlockDetector(): unknown option "threshold"');
    detector = await startBlockDetector();
    expect(() => detector!.on('blok' as 'block', () => undefined)).toThrow("unknown event blok; expected 'block' or 'error'");
  });
});
