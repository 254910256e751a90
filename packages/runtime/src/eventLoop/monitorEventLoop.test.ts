import { createHook } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../Logger.js';
import { expectNoLeakedResources } from '../../tests/support/expectNoLeaks.js';
import type { EventLoopBlock } from './EventLoopBlock.js';
import { realNow } from '../internal/realClock.js';
import { renderReport, spinFor } from './fixtures/stall.js';
import { EVENT_LOOP_BLOCK_METRIC, blockingFrame, monitorEventLoop, type EventLoopMonitor } from './monitorEventLoop.js';

expectNoLeakedResources();

/**
 * How long the tests block the loop: far beyond their thresholds (40–100 ms), which a loaded
 * machine's scheduling may cross on its own. So the tests look for the block they caused (the
 * longest) instead of counting every block, and a watchdog thread that waits for a core still
 * sees the block while it lasts.
 */
const BLOCK_MS = 1000;
const loadedSetTimeout = globalThis.setTimeout;
const longest = (blocks: readonly EventLoopBlock[]): EventLoopBlock | undefined => [...blocks].sort((a, b) => b.durationMs - a.durationMs)[0];

const fixtureFile = fileURLToPath(new URL('./fixtures/stall.ts', import.meta.url));
const spinLine = readFileSync(fixtureFile, 'utf8').split('\n').findIndex((line) => line.includes('// block:spin')) + 1;

const threadCount = (): number | undefined =>
  existsSync('/proc/self/status') ? Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) : undefined;

/** Async resources of the given types created while tracking, and whether each was destroyed. */
function trackResources(types: readonly string[]): { live(): string[]; stop(): void } {
  const open = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (types.includes(type)) open.set(id, type);
    },
    destroy(id) {
      open.delete(id);
    },
  }).enable();
  return { live: () => [...open.values()].sort(), stop: () => hook.disable() };
}

/** A logger that keeps what it is given. */
function recordingLogger(): Logger & { lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A meter with the shape of OpenTelemetry's, keeping the histograms made and the values recorded. */
function recordingMeter() {
  const histograms: Array<{ name: string; unit: string | undefined; boundaries: number[] | undefined }> = [];
  const recorded: Array<{ value: number; attributes: Record<string, unknown> | undefined }> = [];
  return {
    histograms,
    recorded,
    createHistogram(name: string, options?: { unit?: string; advice?: { explicitBucketBoundaries?: number[] } }) {
      histograms.push({ name, unit: options?.unit, boundaries: options?.advice?.explicitBucketBoundaries });
      return { record: (value: number, attributes?: Record<string, unknown>) => void recorded.push({ value, attributes }) };
    },
  };
}

describe('monitorEventLoop', () => {
  let monitor: EventLoopMonitor | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await monitor?.stop();
    monitor = undefined;
  });

  it('reports a block to onBlock, the histogram (seconds) and the log, naming the source-mapped blocking frame', async () => {
    const heard: EventLoopBlock[] = [];
    const logger = recordingLogger();
    const meter = recordingMeter();
    monitor = await monitorEventLoop({ thresholdMs: 40, onBlock: (block) => heard.push(block), logger, meter });
    renderReport(BLOCK_MS);
    await monitor.flush();

    const block = longest(heard);
    expect(block?.durationMs).toBeGreaterThan(BLOCK_MS / 2);
    expect(block!.frames.filter((f) => f.file === fixtureFile).map((f) => f.functionName)).toEqual(['spinFor', 'buildRows', 'renderReport']);
    expect(blockingFrame(block!)).toMatchObject({ functionName: 'spinFor', file: fixtureFile, line: spinLine });
    expect(monitor.blockCount).toBe(heard.length);
    expect(monitor.recent).toEqual(heard.slice(-10));

    expect(meter.histograms).toEqual([{ name: EVENT_LOOP_BLOCK_METRIC, unit: 's', boundaries: expect.any(Array) }]);
    expect(meter.recorded).toHaveLength(heard.length);
    const value = meter.recorded[heard.indexOf(block!)]!;
    expect(value.value).toBeCloseTo(block!.durationMs / 1000, 6); // seconds: the block's ms / 1000
    expect(value.attributes).toEqual({ 'code.function.name': 'spinFor', 'code.file.path': fixtureFile, 'code.line.number': spinLine });

    const line = logger.lines[heard.indexOf(block!)]!;
    expect(line.level).toBe('warn');
    expect(line.fields).toMatchObject({ event: 'eventloop.block', durationMs: Math.round(block!.durationMs), thresholdMs: 40 });
    expect((line.fields.frames as string[])[0]).toBe(`spinFor (${fixtureFile}:${spinLine}:${block!.frames[0]!.column})`);
    expect(line.message).toBe(`event loop blocked for ${Math.round(block!.durationMs)} ms (threshold 40 ms), in spinFor (${fixtureFile}:${spinLine}:${block!.frames[0]!.column})`);
  });

  it('keeps only the latest keepRecent blocks and counts them all', async () => {
    monitor = await monitorEventLoop({ thresholdMs: 40, keepRecent: 2, captureStacks: false });
    for (let i = 0; i < 3; i++) {
      spinFor(300);
      await monitor.flush();
    }
    expect(monitor.blockCount).toBeGreaterThanOrEqual(3);
    expect(monitor.recent).toHaveLength(2);
    expect(monitor.recent.every((b) => b.frames.length === 0)).toBe(true);
  });

  it('does not mistake fake timers for a blocked loop, and still catches a block under them', async () => {
    monitor = await monitorEventLoop({ thresholdMs: 100, keepRecent: 100 });
    const long = (): EventLoopBlock[] => monitor!.recent.filter((b) => b.durationMs > BLOCK_MS / 2);
    vi.useFakeTimers();
    // Every timer is frozen now; a heartbeat built on timers would see one stall as long as the wait.
    await new Promise((resolve) => loadedSetTimeout(resolve, BLOCK_MS));
    await monitor.flush();
    expect(long()).toEqual([]);
    // Date and performance are faked too (frozen), so spin on the real clock.
    const end = realNow() + BLOCK_MS;
    while (realNow() < end);
    vi.useRealTimers();
    await monitor.flush();
    expect(long()).toHaveLength(1);
  });

  it('a throwing onBlock or logger does not stop the monitor; the error goes to onError', async () => {
    const errors: Error[] = [];
    const logger = recordingLogger();
    logger.warn = () => {
      throw new Error('logger down');
    };
    monitor = await monitorEventLoop({
      thresholdMs: 40,
      captureStacks: false,
      logger,
      onBlock: () => {
        throw new Error('listener bug');
      },
      onError: (error) => errors.push(error),
    });
    spinFor(300);
    await monitor.flush();
    spinFor(300);
    await monitor.flush();
    expect(monitor.blockCount).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBe(monitor.blockCount);
    expect(errors[0]!.message).toBe('listener bug');
  });

  it('leaves no thread, worker, port or timer behind after stop(), and await using stops it', async () => {
    const before = threadCount();
    // Timers are expectNoLeakedResources()'s (the stop timeout is a ref'd one); unref'd workers and
    // ports do not show in process.getActiveResourcesInfo(), so they are tracked here.
    const tracked = trackResources(['WORKER', 'MESSAGEPORT']);
    try {
      const running = await monitorEventLoop({ thresholdMs: 30 });
      spinFor(80);
      await running.flush();
      if (before !== undefined) expect(threadCount()).toBe(before + 1); // the watchdog is running
      expect(tracked.live()).toContain('WORKER');
      expect(tracked.live()).toContain('MESSAGEPORT');
      await running.stop();
      await running.stop(); // idempotent
      {
        await using disposed = await monitorEventLoop({ thresholdMs: 30 });
        expect(disposed.thresholdMs).toBe(30);
      }
      // Handles leave the list once their close callbacks have run.
      for (let i = 0; i < 100 && tracked.live().length > 0; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(tracked.live()).toEqual([]);
      if (before !== undefined) expect(threadCount()).toBe(before);
    } finally {
      tracked.stop();
    }
  });

  it('rejects bad options with a typed error naming the option', async () => {
    await expect(monitorEventLoop({ thresholdMs: 50, threshold: 5 } as never)).rejects.toThrow(/^monitorEventLoop: unknown option "threshold" \(known: thresholdMs, onBlock, meter, logger, /);
    await expect(monitorEventLoop({} as never)).rejects.toThrow(TypeError);
    await expect(monitorEventLoop({} as never)).rejects.toThrow('monitorEventLoop: options.thresholdMs is required');
    await expect(monitorEventLoop(undefined as never)).rejects.toThrow('monitorEventLoop: options must be an object');
    await expect(monitorEventLoop({ thresholdMs: 0 })).rejects.toThrow(new RangeError('monitorEventLoop: options.thresholdMs must be more than 0 ms, got 0'));
    await expect(monitorEventLoop({ thresholdMs: Number.NaN })).rejects.toThrow('monitorEventLoop: options.thresholdMs must be a number of milliseconds, got NaN');
    await expect(monitorEventLoop({ thresholdMs: 50, intervalMs: -1 })).rejects.toThrow('monitorEventLoop: options.intervalMs must not be negative');
    await expect(monitorEventLoop({ thresholdMs: 50, maxFrames: 1.5 })).rejects.toThrow('monitorEventLoop: options.maxFrames must be an integer >= 1, got 1.5');
    await expect(monitorEventLoop({ thresholdMs: 50, keepRecent: -1 })).rejects.toThrow('monitorEventLoop: options.keepRecent must be an integer >= 0');
    await expect(monitorEventLoop({ thresholdMs: 50, captureStacks: 'yes' as never })).rejects.toThrow('monitorEventLoop: options.captureStacks must be a boolean, got string');
    await expect(monitorEventLoop({ thresholdMs: 50, onBlock: 'log' as never })).rejects.toThrow('monitorEventLoop: options.onBlock must be a function, got string');
    await expect(monitorEventLoop({ thresholdMs: 50, logger: { warn: () => undefined } as never })).rejects.toThrow('monitorEventLoop: options.logger must have debug, info, warn and error methods');
    await expect(monitorEventLoop({ thresholdMs: 50, meter: {} as never })).rejects.toThrow('monitorEventLoop: options.meter must be an OpenTelemetry Meter');
  });
});
