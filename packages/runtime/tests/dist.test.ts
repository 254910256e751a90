import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built package, as consumers load it: offload's worker file must be found from both the
// ESM and the CJS build, and errors from one build must be recognised by the other.
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const esm = join(dist, 'index.js');
const cjs = join(dist, 'index.cjs');

let dir = '';
beforeAll(() => {
  if (!existsSync(esm) || !existsSync(cjs)) {
    throw new Error(`packages/runtime/dist is missing: run \`pnpm --filter @asyncguard/runtime build\` first`);
  }
  dir = mkdtempSync(join(tmpdir(), 'asyncguard-dist-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function run(name: string, source: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${name} failed: ${String(error)}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

describe('the built package', () => {
  it('offloads and times out from the ESM build, and exits without closing the pool', async () => {
    const out = await run(
      'esm.mjs',
      `import { offload, withTimeout } from ${JSON.stringify(esm)};
       const product = await offload((a, b) => a * b, [6, 7]);
       const timedOut = await offload(() => { for (;;); }, [], { timeout: 100 }).catch((e) => e.name);
       const value = await withTimeout(Promise.resolve('in time'), 60_000);
       console.log(product, timedOut, value);`,
    );
    expect(out).toBe('42 TimeoutError in time');
  }, 30_000);

  it('offloads and times out from the CJS build', async () => {
    const out = await run(
      'cjs.cjs',
      `const { offload, isTimeoutError } = require(${JSON.stringify(cjs)});
       (async () => {
         const product = await offload((a, b) => a * b, [6, 7]);
         const timedOut = await offload(() => { for (;;); }, [], { timeout: 100 }).catch((e) => isTimeoutError(e));
         console.log(product, timedOut);
       })();`,
    );
    expect(out).toBe('42 true');
  }, 30_000);

  it('recognises an error from the other build', async () => {
    const out = await run(
      'mixed.mjs',
      `import { createRequire } from 'node:module';
       const esm = await import(${JSON.stringify(esm)});
       const cjs = createRequire(import.meta.url)(${JSON.stringify(cjs)});
       const e = new cjs.TimeoutError({ budgetMs: 1, elapsedMs: 1 });
       console.log(esm.TimeoutError !== cjs.TimeoutError, esm.isTimeoutError(e), e instanceof esm.TimeoutError, esm.isCircuitOpenError(e));`,
    );
    expect(out).toBe('true true true false');
  }, 30_000);

  it('monitors the event loop from both builds: the watchdog runs from the bundle, names the blocking function, and the process exits after stop()', async () => {
    const script = (load: string): string => `${load}
       (async () => {
         const monitor = await monitorEventLoop({ thresholdMs: 50 });
         function stallHere() { const end = Date.now() + 600; while (Date.now() < end); }
         stallHere();
         await monitor.flush();
         const block = [...monitor.recent].sort((a, b) => b.durationMs - a.durationMs)[0];
         await monitor.stop();
         console.log(block.durationMs > 300, block.frames[0].functionName);
       })();`;
    const [fromEsm, fromCjs] = await Promise.all([
      run('monitor.mjs', script(`import { monitorEventLoop } from ${JSON.stringify(esm)};`)),
      run('monitor.cjs', script(`const { monitorEventLoop } = require(${JSON.stringify(cjs)});`)),
    ]);
    expect(fromEsm).toBe('true stallHere');
    expect(fromCjs).toBe('true stallHere');
  }, 30_000);
});
