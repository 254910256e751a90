import RedisMock from 'ioredis-mock';
import { ReplyError, type Redis } from 'ioredis';
import type { CommandArg } from '../faults/commandKeys.js';
import { FAULT_PLAN_OPTIONS, FaultPlan, type FaultOutcome, type FaultPlanOptions } from '../faults/FaultPlan.js';
import { FaultSpecError } from '../faults/FaultSpecError.js';
import { rejectUnknownOptions } from '../faults/rejectUnknownOptions.js';

/** ioredis's message for commands flushed when the connection ends. */
export const CONNECTION_CLOSED_MESSAGE = 'Connection is closed.';
/** ioredis's message when `commandTimeout` fires. */
export const COMMAND_TIMED_OUT_MESSAGE = 'Command timed out';

export interface FaultyRedisOptions extends FaultPlanOptions {
  /** Initial keys (ioredis-mock's `data` option). */
  data?: Record<string, unknown>;
  /** Key prefix, as ioredis's `keyPrefix`. */
  keyPrefix?: string;
  /**
   * Clients created with the same dataset name share their data (two connections to one
   * server). Default: a dataset of their own, so tests never see each other's keys.
   */
  dataset?: string;
  /**
   * After an injected disconnect or reset: ms before the client is `ready` again and resends
   * the commands that were in flight (ioredis's defaults: first retry after 50 ms, unfulfilled
   * commands resent). `null`: the connection stays closed — pending and later commands reject
   * with "Connection is closed.". Default 50.
   */
  reconnectDelayMs?: number | null;
  /** As ioredis's `commandTimeout`: a command unanswered after this many ms rejects with "Command timed out". */
  commandTimeout?: number;
  /** As ioredis's `enableOfflineQueue`: when false, commands sent while reconnecting reject at once. Default true. */
  enableOfflineQueue?: boolean;
  /**
   * Use this plan instead of a new one: clients sharing a plan (and a `dataset`) behave like
   * connections to one faulty server — one set of rules, one call log. `seed` and `rules` are
   * then ignored. `duplicate()` shares both.
   */
  plan?: FaultPlan;
}

/** An ioredis-compatible in-memory client whose commands meet the faults of `faults`. */
export type FaultyRedis = Redis & {
  /** The fault rules this client applies; add and remove rules at any time. */
  readonly faults: FaultPlan;
};

type Status = 'connecting' | 'connect' | 'ready' | 'close' | 'reconnecting' | 'end';

interface Pending {
  readonly command: string;
  readonly args: readonly unknown[];
  readonly run: () => Promise<unknown>;
  /** How this send meets the plan; default: one call of `command`. */
  readonly decide: (() => { delayMs: number; outcome: FaultOutcome }) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  delayTimer: NodeJS.Timeout | undefined;
  timeoutTimer: NodeJS.Timeout | undefined;
}

/** Instance methods of ioredis-mock that are not Redis commands. */
const NOT_COMMANDS = new Set(['customCommand', 'defineArgv', 'defineCommand', 'defineKeys', 'defineRedisObject', 'quit', 'quitBuffer', 'connect']);
let datasets = 0;

const FAULTY_REDIS_OPTIONS: readonly (keyof FaultyRedisOptions)[] = [
  ...FAULT_PLAN_OPTIONS,
  'data', 'keyPrefix', 'dataset', 'reconnectDelayMs', 'commandTimeout', 'enableOfflineQueue', 'plan',
];

function validate(options: FaultyRedisOptions): void {
  rejectUnknownOptions(options, FAULTY_REDIS_OPTIONS);
  const { reconnectDelayMs, commandTimeout } = options;
  if (reconnectDelayMs !== undefined && reconnectDelayMs !== null && !(Number.isFinite(reconnectDelayMs) && reconnectDelayMs >= 0)) {
    throw new FaultSpecError('reconnectDelayMs', 'a number of milliseconds >= 0, or null', reconnectDelayMs);
  }
  if (commandTimeout !== undefined && !(Number.isFinite(commandTimeout) && commandTimeout > 0)) {
    throw new FaultSpecError('commandTimeout', 'a positive number of milliseconds', commandTimeout);
  }
  if (options.dataset !== undefined && (typeof options.dataset !== 'string' || options.dataset === '')) {
    throw new FaultSpecError('dataset', 'a non-empty string', options.dataset);
  }
}

function pick<T extends object>(options: T, keys: readonly (keyof T)[]): Partial<T> {
  const picked: Partial<T> = {};
  for (const key of keys) if (options[key] !== undefined) picked[key] = options[key];
  return picked;
}

function connectionResetError(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('read ECONNRESET');
  error.code = 'ECONNRESET';
  error.errno = -104;
  error.syscall = 'read';
  return error;
}

/**
 * An ioredis-compatible client backed by ioredis-mock whose commands meet the faults of a seeded
 * {@link FaultPlan}: delays are real timers (so timeouts in the code under test really fire),
 * error replies reject with ioredis's `ReplyError`, `hang()` never answers, and disconnects and
 * resets emit `error`/`close`/`reconnecting`/`connect`/`ready` like ioredis, then resend what was
 * in flight. `quit()` and `disconnect()` reject whatever is still pending with "Connection is
 * closed." and leave no timer behind.
 *
 * Pipelines meet the plan command by command; a `multi()` transaction meets it once, as the
 * command `exec`. Commands added with `defineCommand` pass through unfaulted.
 */
export function createFaultyRedis(options: FaultyRedisOptions = {}): FaultyRedis {
  if (typeof options !== 'object' || options === null) throw new FaultSpecError('options', 'an object', options);
  validate(options);
  if (options.plan !== undefined && !(options.plan instanceof FaultPlan)) throw new FaultSpecError('plan', 'a FaultPlan', options.plan);
  const plan = options.plan ?? new FaultPlan(pick(options, FAULT_PLAN_OPTIONS));
  const dataset = options.dataset ?? `${process.pid}-${++datasets}`;
  const reconnectDelayMs = options.reconnectDelayMs === undefined ? 50 : options.reconnectDelayMs;
  const enableOfflineQueue = options.enableOfflineQueue ?? true;
  const mockOptions: Record<string, unknown> = {
    host: `asyncguard-faulty-${dataset}`,
    port: 6379,
    lazyConnect: false,
  };
  if (options.data !== undefined) mockOptions.data = options.data;
  if (options.keyPrefix !== undefined) mockOptions.keyPrefix = options.keyPrefix;
  const mock = new RedisMock(mockOptions);
  const mockDisconnect = mock.disconnect.bind(mock);

  let status: Status = 'connecting';
  const inflight = new Set<Pending>();
  let offline: Pending[] = [];
  let reconnectTimer: NodeJS.Timeout | undefined;

  mock.once('ready', () => {
    if (status === 'connecting') status = 'ready';
  });

  const silentEmitError = (error: Error): void => {
    // Like ioredis: an error event with no listener is reported, not thrown.
    if (mock.listenerCount('error') > 0) mock.emit('error', error);
    else console.error('[ioredis] Unhandled error event:', error.stack ?? String(error));
  };

  const clearTimers = (p: Pending): void => {
    if (p.delayTimer !== undefined) clearTimeout(p.delayTimer);
    if (p.timeoutTimer !== undefined) clearTimeout(p.timeoutTimer);
    p.delayTimer = undefined;
    p.timeoutTimer = undefined;
  };

  const settle = (p: Pending, error: unknown, value?: unknown): void => {
    inflight.delete(p);
    clearTimers(p);
    if (p.settled) return;
    p.settled = true;
    if (error === null) p.resolve(value);
    else p.reject(error);
  };

  const apply = (p: Pending, outcome: FaultOutcome): void => {
    if (!inflight.has(p)) return; // dropped by a disconnect meanwhile
    switch (outcome.type) {
      case 'pass':
        p.run().then(
          (value) => {
            if (inflight.has(p)) settle(p, null, value);
          },
          (error: unknown) => {
            if (inflight.has(p)) settle(p, error);
          },
        );
        return;
      case 'error':
        settle(p, new ReplyError(outcome.reply));
        return;
      case 'hang':
        return; // stays in flight until the connection closes
      case 'reset':
        drop(connectionResetError());
        return;
      case 'disconnect':
        drop(undefined);
        return;
    }
  };

  const dispatch = (p: Pending): void => {
    const { delayMs, outcome } = p.decide !== undefined ? p.decide() : plan.decide(p.command, p.args as CommandArg[]);
    inflight.add(p);
    if (delayMs > 0) {
      p.delayTimer = setTimeout(() => {
        p.delayTimer = undefined;
        apply(p, outcome);
      }, delayMs);
    } else if (outcome.type === 'pass') apply(p, outcome);
    else queueMicrotask(() => apply(p, outcome)); // connection events never fire inside the caller's call
  };

  const send = (p: Pending): void => {
    if (status === 'end') {
      settle(p, new Error(CONNECTION_CLOSED_MESSAGE));
      return;
    }
    if (options.commandTimeout !== undefined) {
      p.timeoutTimer = setTimeout(() => {
        p.timeoutTimer = undefined;
        if (p.settled) return;
        p.settled = true; // it stays in flight, as in ioredis: the timeout only rejects the caller
        p.reject(new Error(COMMAND_TIMED_OUT_MESSAGE));
      }, options.commandTimeout);
    }
    if (status === 'close' || status === 'reconnecting') {
      if (enableOfflineQueue) offline.push(p);
      else settle(p, new Error("Stream isn't writeable and enableOfflineQueue options is false"));
      return;
    }
    dispatch(p);
  };

  const end = (): void => {
    status = 'end';
    mock.emit('end');
    const left = [...inflight, ...offline];
    inflight.clear();
    offline = [];
    for (const p of left) settle(p, new Error(CONNECTION_CLOSED_MESSAGE));
  };

  /** The connection drops: `error`? → `close` → `reconnecting` → `connect` → `ready`, then resend. */
  const drop = (error: Error | undefined): void => {
    if (status === 'end' || status === 'close' || status === 'reconnecting') return;
    const unfulfilled = [...inflight].filter((p) => !p.settled);
    for (const p of inflight) {
      if (p.delayTimer !== undefined) clearTimeout(p.delayTimer);
      p.delayTimer = undefined;
      if (p.settled) clearTimers(p);
    }
    inflight.clear();
    if (error !== undefined) silentEmitError(error);
    status = 'close';
    mock.emit('close');
    if (reconnectDelayMs === null) {
      offline = [...unfulfilled, ...offline];
      end();
      return;
    }
    status = 'reconnecting';
    mock.emit('reconnecting', reconnectDelayMs);
    offline = [...unfulfilled, ...offline];
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      status = 'connect';
      mock.emit('connect');
      status = 'ready';
      mock.emit('ready');
      const queued = offline;
      offline = [];
      for (const p of queued) {
        if (p.settled) clearTimers(p);
        else if (status === 'ready') dispatch(p);
        else offline.push(p);
      }
    }, reconnectDelayMs);
  };

  const close = (): void => {
    if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    if (status === 'end') return;
    const wasOpen = status !== 'close' && status !== 'reconnecting';
    status = 'end';
    const left = [...inflight, ...offline];
    inflight.clear();
    offline = [];
    for (const p of left) settle(p, new Error(CONNECTION_CLOSED_MESSAGE));
    mockDisconnect(); // detaches pub/sub listeners; emits `end` on the next tick
    if (wasOpen) process.nextTick(() => mock.emit('close'));
  };

  const enqueue = (
    command: string,
    args: unknown[],
    run: () => Promise<unknown>,
    decide?: () => { delayMs: number; outcome: FaultOutcome },
  ): Promise<unknown> => {
    let callback: ((error: unknown, value?: unknown) => void) | undefined;
    if (typeof args[args.length - 1] === 'function') callback = args.pop() as typeof callback;
    const promise = new Promise<unknown>((resolve, reject) => {
      send({ command, args, run, decide, resolve, reject, settled: false, delayTimer: undefined, timeoutTimer: undefined });
    });
    if (callback !== undefined) {
      const cb = callback;
      promise.then(
        (value) => cb(null, value),
        (error: unknown) => cb(error),
      );
    }
    return promise;
  };

  const target = mock as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(mock)) {
    const original = target[name];
    if (typeof original !== 'function' || name.startsWith('_') || NOT_COMMANDS.has(name) || name.endsWith('Stream')) continue;
    const command = name.endsWith('Buffer') ? name.slice(0, -'Buffer'.length) : name;
    target[name] = (...args: unknown[]) => {
      const plain = typeof args[args.length - 1] === 'function' ? args.slice(0, -1) : args;
      return enqueue(command, args, () => (original as (...a: unknown[]) => Promise<unknown>)(...plain));
    };
  }

  target.call = (command: unknown, ...args: unknown[]) => {
    const name = String(command).toLowerCase();
    const fn = target[name];
    if (typeof fn !== 'function' || NOT_COMMANDS.has(name)) {
      return Promise.reject(new ReplyError(`ERR unknown command '${String(command)}'`));
    }
    return (fn as (...a: unknown[]) => Promise<unknown>)(...args);
  };

  const wrapMulti = <B extends { exec(callback?: unknown): Promise<unknown> }>(batch: B): B => {
    const exec = batch.exec.bind(batch);
    batch.exec = (...args: unknown[]) => enqueue('exec', args, () => exec());
    return batch;
  };

  /**
   * A pipeline's commands meet the plan one by one when it is executed, as on the wire: the
   * batch settles after the longest delay, an error rule answers only its own command (which is
   * then not run), and a hang, reset or disconnect on any command applies to the whole batch.
   */
  const wrapPipeline = (batch: ReturnType<typeof mock.pipeline>): ReturnType<typeof mock.pipeline> => {
    const queued: { command: string; args: unknown[] }[] = [];
    const own = batch as unknown as Record<string, unknown> & { batch: (() => Promise<unknown>)[] | undefined };
    for (const name of Object.getOwnPropertyNames(batch)) {
      const original = own[name];
      if (typeof original !== 'function' || name.startsWith('_') || NOT_COMMANDS.has(name) || name.endsWith('Stream')) continue;
      const command = name.endsWith('Buffer') ? name.slice(0, -'Buffer'.length) : name;
      own[name] = (...args: unknown[]) => {
        queued.push({ command, args: typeof args[args.length - 1] === 'function' ? args.slice(0, -1) : args });
        return (original as (...a: unknown[]) => unknown).apply(batch, args);
      };
    }
    const exec = batch.exec.bind(batch);
    batch.exec = (...args: unknown[]) => {
      const calls = queued.splice(0);
      let errors = new Map<number, string>();
      const decide = (): { delayMs: number; outcome: FaultOutcome } => {
        errors = new Map();
        let delayMs = 0;
        let outcome: FaultOutcome = { type: 'pass' };
        calls.forEach((call, i) => {
          const d = plan.decide(call.command, call.args as CommandArg[]);
          delayMs = Math.max(delayMs, d.delayMs);
          if (d.outcome.type === 'error') errors.set(i, d.outcome.reply);
          else if (d.outcome.type !== 'pass' && outcome.type === 'pass') outcome = d.outcome;
        });
        return { delayMs, outcome };
      };
      const run = async (): Promise<unknown> => {
        for (const i of errors.keys()) if (own.batch?.[i] !== undefined) own.batch[i] = () => Promise.resolve(null);
        const results = (await exec()) as [Error | null, unknown][] | null;
        if (results === null) return null;
        for (const [i, reply] of errors) results[i] = [new ReplyError(reply)] as unknown as [Error, unknown];
        return results;
      };
      return enqueue('exec', args, run, decide);
    };
    return batch;
  };
  const multi = mock.multi.bind(mock);
  const pipeline = mock.pipeline.bind(mock);
  const mockExec = mock.exec.bind(mock);
  target.multi = (...args: unknown[]) => wrapMulti(multi(...(args as [unknown[]?])));
  target.pipeline = (commands: unknown[][] = []) => {
    const batch = wrapPipeline(pipeline());
    const methods = batch as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const [name, ...rest] of commands) {
      const method = methods[String(name)];
      if (typeof method !== 'function') throw new TypeError(`pipeline(): unknown command ${JSON.stringify(name)}`);
      method(...rest);
    }
    return batch;
  };
  target.exec = (...args: unknown[]) => enqueue('exec', args, () => mockExec());

  target.quit = (callback?: (error: unknown, value?: unknown) => void) => {
    const result = status === 'end' ? Promise.reject(new Error(CONNECTION_CLOSED_MESSAGE)) : Promise.resolve('OK');
    close();
    if (typeof callback === 'function') result.then((v) => callback(null, v), (e: unknown) => callback(e));
    return result;
  };
  target.disconnect = (reconnect = false) => {
    if (reconnect === true) drop(undefined);
    else close();
  };
  target.duplicate = (override: Partial<FaultyRedisOptions> = {}) => createFaultyRedis({ ...options, ...override, data: undefined, dataset, plan });
  Object.defineProperty(mock, 'status', { get: () => status, configurable: true });
  Object.defineProperty(mock, 'faults', { value: plan, enumerable: false });
  return mock as unknown as FaultyRedis;
}
