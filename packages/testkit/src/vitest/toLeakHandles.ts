import type { MatcherState } from 'vitest';
import { findLeakedHandles, type FindLeakedHandlesOptions, type LeakedHandle } from '../event-loop/findLeakedHandles.js';
import { failureMessage } from './failureMessage.js';

function formatLeak(leak: LeakedHandle): string {
  const created = leak.createdAt.slice(0, 8).map((line) => (line === '(scheduled from)' ? '    scheduled from' : `      at ${line}`));
  return [`  - ${leak.description} [${leak.kind}${leak.ref ? ', keeps the process alive' : ''}]`, ...created].join('\n');
}

/**
 * `await expect(fn).not.toLeakHandles()`: runs `fn` and fails (for `.not`) when it leaves
 * timers, sockets, servers, child processes, workers, message ports or ioredis clients open;
 * the message lists each with the stack that created it.
 */
export async function toLeakHandles(this: MatcherState, received: unknown, options: FindLeakedHandlesOptions = {}) {
  if (typeof received !== 'function') {
    throw new TypeError(`toLeakHandles: expect() needs the function to run, got ${received === null ? 'null' : typeof received}`);
  }
  const leaks = await findLeakedHandles(received as () => unknown, options);
  const pass = leaks.length > 0;
  return {
    pass,
    message: () =>
      failureMessage(
        this,
        'toLeakHandles',
        { received: 'fn', expected: 'options' },
        pass
          ? `expected the function not to leak handles, but it left ${leaks.length} open:\n${leaks.map(formatLeak).join('\n')}`
          : 'expected the function to leak handles, but everything it opened was closed',
        { expected: 'a handle left open', received: leaks.map((leak) => leak.description) },
      ),
    actual: leaks,
  };
}
