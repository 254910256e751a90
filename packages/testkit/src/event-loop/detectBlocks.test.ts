import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block, BlockFrame } from './Block.js';
import { detectBlocks } from './detectBlocks.js';
import { handleLogin, hashPassword, loadSnapshot, parseCatalog, spinFor } from './fixtures/blockingCode.js';

const fixtureFile = fileURLToPath(new URL('./fixtures/blockingCode.ts', import.meta.url));
const fixtureLines = readFileSync(fixtureFile, 'utf8').split('\n');
const markerLine = (name: string): number => {
  const index = fixtureLines.findIndex((line) => line.includes(`// block:${name}`));
  if (index < 0) throw new Error(`no block:${name} marker in the fixture`);
  return index + 1;
};

const describeFrames = (blocks: readonly Block[]): string =>
  blocks.map((b) => `${b.durationMs.toFixed(0)} ms: ${b.frames.map((f) => `${f.functionName} ${f.file}:${f.line}`).join(' < ')}`).join('\n');

/** The innermost frame in the fixture file. */
const fixtureFrame = (block: Block | undefined): BlockFrame | undefined => block?.frames.find((f) => f.file === fixtureFile);

const longest = (blocks: readonly Block[]): Block | undefined => [...blocks].sort((a, b) => b.durationMs - a.durationMs)[0];

/**
 * How long each scenario blocks (wall time): far beyond every threshold below (20–60 ms), so a
 * watchdog thread that waits for a core on a loaded machine still asks for the pause while the
 * scenario is inside its marked line, and the scenario's block is the longest one seen.
 */
const BLOCK_MS = 1000;

describe('detectBlocks names the blocking code', () => {
  let dir: string;
  let bigFile: string;
  let bigJson: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'asyncguard-blocks-'));
    bigFile = join(dir, 'snapshot.bin');
    await writeFile(bigFile, Buffer.alloc(16 * 1024 * 1024, 7));
    bigJson = JSON.stringify(Array.from({ length: 50_000 }, (_, id) => ({ id, name: `item-${id}`, tags: ['a', 'b'] })));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a busy loop: the looping function and line, source-mapped to the TypeScript file', async () => {
    const blocks = await detectBlocks(() => spinFor(BLOCK_MS), { thresholdMs: 60 });
    const block = longest(blocks);
    expect(block, describeFrames(blocks)).toBeDefined();
    expect(block!.durationMs).toBeGreaterThan(60);
    expect(block!.frames[0]).toMatchObject({ functionName: 'spinFor', file: fixtureFile, line: markerLine('busy') });
    expect(block!.capturedAfterMs).toBeDefined();
  });

  it('readFileSync of a large file: the caller and line of the read', async () => {
    const blocks = await detectBlocks(() => loadSnapshot(bigFile, BLOCK_MS), { thresholdMs: 20, intervalMs: 4 });
    const block = longest(blocks);
    expect(block, describeFrames(blocks)).toBeDefined();
    // The pause lands when the native read returns to JavaScript, inside fs.readFileSync.
    expect(block!.frames.some((f) => f.functionName === 'readFileSync' && f.file === 'node:fs'), describeFrames(blocks)).toBe(true);
    expect(fixtureFrame(block)).toMatchObject({ functionName: 'loadSnapshot', line: markerLine('readFileSync') });
  });

  it('pbkdf2Sync: the caller and line of the hash', async () => {
    const blocks = await detectBlocks(() => hashPassword('correct horse', BLOCK_MS), { thresholdMs: 30 });
    const block = longest(blocks);
    expect(block, describeFrames(blocks)).toBeDefined();
    expect(block!.frames.some((f) => f.functionName === 'pbkdf2Sync'), describeFrames(blocks)).toBe(true);
    expect(fixtureFrame(block)).toMatchObject({ functionName: 'hashPassword', line: markerLine('pbkdf2Sync') });
  });

  it('a large JSON.parse: the parsing function, paused just after the native parse returns', async () => {
    const blocks = await detectBlocks(() => parseCatalog(bigJson, BLOCK_MS), { thresholdMs: 30 });
    const block = longest(blocks);
    expect(block, describeFrames(blocks)).toBeDefined();
    const frame = block!.frames.find((f) => f.functionName === 'parseCatalog');
    expect(frame, describeFrames(blocks)).toBeDefined();
    expect(frame!.file).toBe(fixtureFile);
    // V8 cannot interrupt JSON.parse itself: the pause lands in the first JavaScript after a parse
    // returns, the loop on the marked line (or, after the last parse, the next line).
    expect([markerLine('JSON.parse'), markerLine('JSON.parse') + 1], describeFrames(blocks)).toContain(frame!.line);
  });

  it('a blocking call several frames deep: the whole chain from the blocking line to the handler', async () => {
    const blocks = await detectBlocks(() => handleLogin('ada', BLOCK_MS), { thresholdMs: 30 });
    const block = longest(blocks);
    expect(block, describeFrames(blocks)).toBeDefined();
    const chain = block!.frames.filter((f) => f.file === fixtureFile).map((f) => f.functionName);
    expect(chain, describeFrames(blocks)).toEqual(['deriveSessionKey', 'verifyCredentials', 'authenticate', 'handleLogin']);
    expect(fixtureFrame(block)!.line).toBe(markerLine('deep'));
  });
});

describe('detectBlocks on code that does not block', () => {
  it('reports nothing for a busy async workload of promises, timers and HTTP round trips', async () => {
    const server = createServer((req, res) => {
      setImmediate(() => res.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const get = (): Promise<void> =>
      new Promise((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    try {
      // The threshold sits far above what a loaded machine's scheduling adds to a loop turn, and
      // the workload waits twice as long as it in one go: waiting, however long, is no block.
      const blocks = await detectBlocks(async () => {
        await new Promise((r) => setTimeout(r, 800));
        for (let round = 0; round < 20; round++) {
          await Promise.all([
            ...Array.from({ length: 200 }, (_, i) => Promise.resolve(i).then((n) => n * 2)),
            ...Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i % 5))),
            ...Array.from({ length: 4 }, get),
          ]);
        }
      }, { thresholdMs: 400 });
      expect(blocks, describeFrames(blocks)).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rethrows what fn throws, after stopping the watchdog', async () => {
    await expect(detectBlocks(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('rejects bad options with the option name', async () => {
    await expect(detectBlocks(() => undefined, { thresholdMs: -5 })).rejects.toThrow('options.thresholdMs must be a positive number');
    await expect(detectBlocks(() => undefined, { maxFrames: 1.5 })).rejects.toThrow('options.maxFrames must be a positive integer');
    await expect(detectBlocks('nope' as never)).rejects.toThrow('detectBlocks(): fn must be a function, got string');
  });
});
