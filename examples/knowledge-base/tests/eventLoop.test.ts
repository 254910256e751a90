import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { HealthResponse } from '@asyncguard-examples/kb-shared';
import { describeWithRedis, useRedisServer } from '@asyncguard/testkit/vitest';
import { createKnowledgeBaseServer } from '../src/index.js';
import { recordingLogger } from './support/testLogger.js';

const thisFile = fileURLToPath(import.meta.url);
const spinLine = readFileSync(thisFile, 'utf8').split('\n').findIndex((line) => line.endsWith(`// block${':'}spin`)) + 1;

/** Synchronous work the service should not do on its event loop: the block the test makes on purpose. */
function rebuildReportSynchronously(ms: number): number {
  const end = Date.now() + ms;
  let turns = 0;
  while (Date.now() < end) turns++; // block:spin
  return turns;
}

// No block guard in this file: the test blocks the loop on purpose.
describeWithRedis('knowledge-base event-loop monitor', () => {
  const server = useRedisServer();
  let app: FastifyInstance | undefined;
  let documentsDir: string;

  beforeEach(async () => {
    documentsDir = await mkdtemp(join(tmpdir(), 'kb-eventloop-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(documentsDir, { recursive: true, force: true });
  });

  const health = async (kb: FastifyInstance): Promise<HealthResponse> => (await kb.inject({ method: 'GET', url: '/health' })).json<HealthResponse>();

  it('shows a deliberate block in /health, with its duration and the blocking frame, and logs it', async () => {
    const log = recordingLogger();
    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, logger: log, eventLoop: { thresholdMs: 100 } }).app;
    const before = await health(app);
    expect(before.eventLoop).toMatchObject({ thresholdMs: 100 });
    const blocksBefore = before.eventLoop!.blocks;

    rebuildReportSynchronously(600);

    // The block is reported once the loop turns again and its frames are mapped.
    const after = await vi.waitFor(async () => {
      const h = await health(app!);
      expect(h.eventLoop!.blocks).toBeGreaterThan(blocksBefore);
      expect(h.eventLoop!.recent.some((b) => b.frame?.startsWith('rebuildReportSynchronously ('))).toBe(true);
      return h;
    }, { timeout: 5000, interval: 50 });
    const ours = after.eventLoop!.recent.find((b) => b.frame?.startsWith('rebuildReportSynchronously ('))!;
    expect(ours.durationMs).toBeGreaterThan(300);
    expect(ours.frame).toMatch(new RegExp(`^rebuildReportSynchronously \\(${thisFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${spinLine}:\\d+\\)$`));
    expect(Number.isNaN(Date.parse(ours.at))).toBe(false);
    expect(after.eventLoop!.recent.length).toBeLessThanOrEqual(5);
    expect(after.status).toBe('ok'); // a past block is information, not a failed dependency

    const logged = log.entries.find((e) => e.level === 'warn' && e.fields.event === 'eventloop.block' && String(e.message).includes('rebuildReportSynchronously'));
    expect(logged?.message).toMatch(/^event loop blocked for \d+ ms \(threshold 100 ms\), in rebuildReportSynchronously \(/);
  }, 20_000);

  it('runs no monitor when turned off', async () => {
    app = createKnowledgeBaseServer({ redisUrl: server().url, documentsDir, eventLoop: false }).app;
    expect((await health(app)).eventLoop).toBeUndefined();
  });
});
