import { createHook } from 'node:async_hooks';
import { realDelay, realImmediate, realNow } from '../timers/realTimers.js';
import { assertKnownOptions } from '../assertKnownOptions.js';

/** What kind of resource was left open. */
export type LeakedHandleKind = 'timer' | 'immediate' | 'socket' | 'server' | 'child-process' | 'worker' | 'message-port' | 'ioredis-client' | 'other';

/** A handle created while the function ran and still open after it settled. */
export interface LeakedHandle {
  readonly kind: LeakedHandleKind;
  /** Node's async resource type (`Timeout`, `TCPWRAP`, `PROCESSWRAP`, ...). */
  readonly type: string;
  /** One line saying what it is, e.g. `TCP socket to 127.0.0.1:6380 (ioredis client)`. */
  readonly description: string;
  /** Whether it keeps the process alive (unref'd handles are leaks too: they still hold resources). */
  readonly ref: boolean;
  /** The stack where it was created, innermost first, without asyncguard's and Node's internal frames. */
  readonly createdAt: readonly string[];
}

export interface FindLeakedHandlesOptions {
  /**
   * Real time (ms) to let close callbacks and exits finish after `fn` settles before anything
   * still open counts as leaked. Default 100.
   */
  settleMs?: number;
  /**
   * Handles that are expected to outlive `fn` and so are not leaks, e.g. a library's shared,
   * unref'd timer: `{ ignore: (h) => h.kind === 'timer' && !h.ref }`.
   */
  ignore?: (handle: LeakedHandle) => boolean;
}

const KINDS: Record<string, LeakedHandleKind> = {
  Timeout: 'timer',
  Immediate: 'immediate',
  TCPWRAP: 'socket',
  PIPEWRAP: 'socket',
  UDPWRAP: 'socket',
  TLSWRAP: 'socket',
  TCPSERVERWRAP: 'server',
  PIPESERVERWRAP: 'server',
  PROCESSWRAP: 'child-process',
  WORKER: 'worker',
  MESSAGEPORT: 'message-port',
  SIGNALWRAP: 'other',
  FSEVENTWRAP: 'other',
  STATWATCHER: 'other',
};

/** A creation stack, formatted only when someone reads it. */
type LazyStack = () => string[];

interface Tracked {
  readonly type: string;
  readonly resource: object;
  readonly stack: LazyStack;
}

const OWN_FRAMES = /node:internal|node:async_hooks|\(node:|<anonymous>|^\s*at (new )?(Promise|process\.processTicksAndRejections)/;

/**
 * The stack below `hook` (the async hook's init), without Node's internal frames. V8 records the
 * frames now but formats them (source maps included, under Vite) only when `stack` is first read:
 * that is left to the few handles that leak. Formatting every timer, tick and socket eagerly cost
 * milliseconds each and stalled the code under test.
 */
function creationStack(hook: (...args: never[]) => unknown): LazyStack {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  Error.captureStackTrace(holder, hook);
  Error.stackTraceLimit = limit;
  let lines: string[] | undefined;
  return () =>
    (lines ??= (holder.stack ?? '')
      .split('\n')
      .slice(1)
      .filter((line) => !OWN_FRAMES.test(line))
      .map((line) => line.trim().replace(/^at /, '')));
}

function hasRef(resource: object): boolean {
  const candidate = resource as { hasRef?: () => boolean };
  try {
    return typeof candidate.hasRef === 'function' ? candidate.hasRef() : true;
  } catch {
    return true;
  }
}

function peer(resource: object): string | undefined {
  const handle = resource as { getpeername?: (out: Record<string, unknown>) => number; getsockname?: (out: Record<string, unknown>) => number };
  const out: Record<string, unknown> = {};
  try {
    if (typeof handle.getpeername === 'function' && handle.getpeername(out) === 0 && typeof out.address === 'string') return `${out.address}:${String(out.port)}`;
  } catch {
    // not connected
  }
  return undefined;
}

function local(resource: object): string | undefined {
  const handle = resource as { getsockname?: (out: Record<string, unknown>) => number };
  const out: Record<string, unknown> = {};
  try {
    if (typeof handle.getsockname === 'function' && handle.getsockname(out) === 0 && typeof out.address === 'string') return `${out.address}:${String(out.port)}`;
  } catch {
    // not bound
  }
  return undefined;
}

function describe(tracked: Tracked): { kind: LeakedHandleKind; description: string } {
  const fromIoredis = tracked.stack().some((line) => /[\\/]ioredis[\\/]/.test(line));
  const base = KINDS[tracked.type] ?? 'other';
  switch (base) {
    case 'timer': {
      const timer = tracked.resource as { _repeat?: number | null; _idleTimeout?: number };
      const every = timer._repeat ?? undefined;
      const what = every !== undefined ? `setInterval every ${every} ms` : `setTimeout of ${String(timer._idleTimeout ?? '?')} ms`;
      return { kind: fromIoredis ? 'ioredis-client' : 'timer', description: `${what}${fromIoredis ? ' (ioredis client timer)' : ''}` };
    }
    case 'socket': {
      const to = peer(tracked.resource);
      const kind = tracked.type === 'UDPWRAP' ? 'UDP socket' : tracked.type === 'PIPEWRAP' ? 'pipe' : 'TCP socket';
      return {
        kind: fromIoredis ? 'ioredis-client' : 'socket',
        description: `${kind}${to !== undefined ? ` to ${to}` : ''}${fromIoredis ? ' (ioredis client: call quit() or disconnect())' : ''}`,
      };
    }
    case 'server': {
      const at = local(tracked.resource);
      return { kind: 'server', description: `server listening${at !== undefined ? ` on ${at}` : ''}` };
    }
    case 'child-process': {
      const pid = (tracked.resource as { pid?: number }).pid;
      return { kind: 'child-process', description: `child process${pid !== undefined ? ` ${pid}` : ''} still running or not reaped` };
    }
    case 'worker':
      return { kind: 'worker', description: 'worker thread still running' };
    case 'message-port':
      return { kind: 'message-port', description: 'MessagePort not closed' };
    default:
      return { kind: base, description: `${tracked.type} handle` };
  }
}

/**
 * Runs `fn` and returns the handles it opened and left open: timers and intervals, sockets
 * and servers (which Vitest's own leak check ignores), child processes, worker threads,
 * message ports, and ioredis clients (recognised by their sockets and timers). Each comes with
 * the stack that created it.
 *
 * Built on `async_hooks`: a resource counts as open until Node emits its `destroy`, which for
 * handles happens once they are closed. Resources created by anything else running at the same
 * time are attributed to `fn` too, so keep other work quiet while it runs.
 */
export async function findLeakedHandles(fn: () => unknown, options: FindLeakedHandlesOptions = {}): Promise<LeakedHandle[]> {
  if (typeof fn !== 'function') throw new TypeError(`findLeakedHandles(): fn must be a function, got ${fn === null ? 'null' : typeof fn}`);
  if (typeof options !== 'object' || options === null) throw new TypeError('findLeakedHandles(): options must be an object');
  assertKnownOptions('findLeakedHandles()', options, ['settleMs', 'ignore']);
  const settleMs = options.settleMs ?? 100;
  if (typeof settleMs !== 'number' || !Number.isFinite(settleMs) || settleMs < 0) {
    throw new RangeError(`findLeakedHandles(): options.settleMs must be a non-negative number of milliseconds, got ${String(settleMs)}`);
  }
  const { ignore } = options;
  if (ignore !== undefined && typeof ignore !== 'function') {
    throw new TypeError(`findLeakedHandles(): options.ignore must be a function, got ${ignore === null ? 'null' : typeof ignore}`);
  }
  const open = new Map<number, Tracked>();
  let recording = true;
  // Deferred work (nextTick, immediates, timers) keeps its own creation stack, so a handle made
  // in a deferred callback (ioredis connects in a nextTick) can show who scheduled it.
  const scheduledBy = new Map<number, LazyStack>();
  const init = (asyncId: number, type: string, trigger: number, resource: object): void => {
    if (!recording) return;
    if (type === 'TickObject' || type === 'Immediate' || type === 'Timeout') scheduledBy.set(asyncId, creationStack(init));
    if (!(type in KINDS)) return;
    const stack = creationStack(init);
    const parent = scheduledBy.get(trigger);
    open.set(asyncId, { type, resource, stack: parent === undefined ? stack : () => [...stack(), '(scheduled from)', ...parent()] });
  };
  const hook = createHook({
    init,
    destroy(asyncId) {
      open.delete(asyncId);
      scheduledBy.delete(asyncId);
    },
  });
  hook.enable();
  try {
    try {
      await fn();
    } finally {
      recording = false;
    }
    // Closing is asynchronous (close callbacks, process exit): give it real time, not fake time.
    const deadline = realNow() + settleMs;
    await realImmediate();
    await realImmediate();
    while (open.size > 0 && realNow() < deadline) await realDelay(Math.min(10, Math.max(1, deadline - realNow())));
  } finally {
    hook.disable();
  }
  const leaks: LeakedHandle[] = [];
  for (const tracked of open.values()) {
    if (isClosed(tracked)) continue;
    const leak: LeakedHandle = { ...describe(tracked), type: tracked.type, ref: hasRef(tracked.resource), createdAt: tracked.stack() };
    if (ignore === undefined || !ignore(leak)) leaks.push(leak);
  }
  return leaks;
}

function isClosed(tracked: Tracked): boolean {
  const resource = tracked.resource as { _destroyed?: boolean; _onTimeout?: unknown; fd?: number; _idleTimeout?: number };
  if (tracked.type === 'Timeout') return resource._destroyed === true || resource._onTimeout === null || resource._idleTimeout === -1;
  if (tracked.type === 'Immediate') return (resource as { _onImmediate?: unknown })._onImmediate === null || resource._destroyed === true;
  return false;
}
