import rule from '../../src/rules/no-silent-io-catch.js';
import { at, runInBothModes, runTyped, runUntyped } from '../ruleTester.js';

const R = "import { Redis } from 'ioredis';\nconst redis = new Redis();\n";
const silent = `${R}export async function f() {\n  try {\n    return await redis.get('k');\n  } catch {\n    return null;\n  }\n}`;
const unusedParam = `${R}export async function f() {\n  try {\n    await redis.set('k', 'v');\n  } catch (error) {\n    // ignore\n  }\n}`;
const promiseCatch = `${R}export function f() { return redis.get('k').catch(() => null); }`;
const thenHandler = `${R}export function f() { return redis.get('k').then((v) => v, () => 'default'); }`;

runInBothModes('no-silent-io-catch', rule, {
  valid: [
    `${R}export async function f() { try { return await redis.get('k'); } catch (error) { console.warn('cache miss', error); return null; } }`,
    `${R}export async function f() { try { return await redis.get('k'); } catch { logger.warn('cache read failed'); return null; } }\ndeclare const logger: { warn(m: string): void };`,
    `${R}export async function f() { try { return await redis.get('k'); } catch (e) { throw new Error('cache', { cause: e }); } }`,
    `${R}export async function f() { try { return await redis.get('k'); } catch (e) { return { ok: false, error: e }; } }`,
    `${R}export async function f() { try { return await redis.get('k'); } catch { throw new Error('unavailable'); } }`,
    // No awaited work in the try block.
    'export function f(s: string) { try { return JSON.parse(s); } catch { return null; } }',
    `${R}export function f() { return redis.get('k').catch((e) => { console.error(e); return null; }); }`,
    { code: `${R}export async function f() { try { await redis.get('k'); } catch { audit('x'); } }\ndeclare function audit(m: string): void;`, options: [{ logFunctions: ['audit'] }] },
    { code: promiseCatch, options: [{ checkPromiseCatch: false }] },
  ],
  invalid: [
    { code: silent, errors: [{ messageId: 'silentCatch', ...at(silent, 'catch {\n    return null;\n  }') }] },
    { code: unusedParam, errors: [{ messageId: 'silentCatch', ...at(unusedParam, 'catch (error) {\n    // ignore\n  }') }] },
    { code: promiseCatch, errors: [{ messageId: 'silentPromiseCatch', ...at(promiseCatch, '() => null') }] },
    { code: thenHandler, errors: [{ messageId: 'silentPromiseCatch', ...at(thenHandler, "() => 'default'") }] },
  ],
});

// With types, awaiting a non-promise does not count as awaited I/O; and any promise's .catch is checked.
const awaitNumber = 'export async function f() { try { await 1; } catch { return 0; } }';
const injected = 'export function f(load: () => Promise<string>) { return load().catch(() => ""); }';
runUntyped('no-silent-io-catch, untyped only', rule, {
  valid: [injected],
  invalid: [{ code: awaitNumber, errors: [{ messageId: 'silentCatch', ...at(awaitNumber, 'catch { return 0; }') }] }],
});
runTyped('no-silent-io-catch, typed only', rule, {
  valid: [awaitNumber],
  invalid: [{ code: injected, errors: [{ messageId: 'silentPromiseCatch', ...at(injected, '() => ""') }] }],
});
