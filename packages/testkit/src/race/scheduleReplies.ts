import type { Scheduler } from 'fast-check';
import { assertKnownOptions } from '../assertKnownOptions.js';

export interface ScheduleRepliesOptions {
  /** Only these methods are scheduled (e.g. `['get', 'set']`). Default: every method that returns a promise. */
  commands?: readonly string[];
  /** Prefix of each task's label in the scheduler's report. Default `redis`. */
  name?: string;
}

/** Methods that manage the client rather than send a command: never scheduled. */
const NOT_COMMANDS = new Set([
  'on', 'once', 'off', 'addListener', 'removeListener', 'removeAllListeners', 'emit', 'listeners', 'listenerCount',
  'prependListener', 'prependOnceListener', 'eventNames', 'setMaxListeners', 'getMaxListeners', 'rawListeners',
  'connect', 'disconnect', 'quit', 'duplicate', 'pipeline', 'multi', 'then', 'toString', 'valueOf', 'constructor',
]);

function describeArgs(args: readonly unknown[]): string {
  const text = args
    .slice(0, 3)
    .map((arg) => (typeof arg === 'string' ? arg : typeof arg === 'function' ? 'fn' : JSON.stringify(arg) ?? String(arg)))
    .join(', ');
  return args.length > 3 ? `${text}, …` : text;
}

/**
 * Wraps an ioredis-like client (ioredis, ioredis-mock, `createFaultyRedis()`) so every command's
 * reply reaches the caller when fast-check's scheduler says so. Faults the client injects (errors,
 * disconnects) still happen; the scheduler only decides the order in which replies arrive
 * relative to each other and to the test's own scheduled promises.
 *
 * ```ts
 * fc.asyncProperty(fc.scheduler(), async (s) => {
 *   const redis = scheduleReplies(createFaultyRedis(), s);
 *   ...
 * })
 * ```
 */
export function scheduleReplies<C extends object>(client: C, scheduler: Scheduler, options: ScheduleRepliesOptions = {}): C {
  if (typeof client !== 'object' || client === null) throw new TypeError('scheduleReplies(): client must be a Redis client object');
  if (typeof scheduler?.schedule !== 'function') throw new TypeError('scheduleReplies(): scheduler must be a fast-check Scheduler (from fc.scheduler())');
  if (typeof options !== 'object' || options === null) throw new TypeError('scheduleReplies(): options must be an object');
  assertKnownOptions('scheduleReplies()', options, ['commands', 'name']);
  if (options.commands !== undefined && !Array.isArray(options.commands)) throw new TypeError('scheduleReplies(): options.commands must be an array of command names');
  const only = options.commands === undefined ? undefined : new Set(options.commands.map((c) => c.toLowerCase()));
  const name = options.name ?? 'redis';
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || NOT_COMMANDS.has(property)) return value;
      if (only !== undefined && !only.has(property.toLowerCase())) return value;
      const cached = wrapped.get(property);
      if (cached !== undefined) return cached;
      const method = value as (...args: unknown[]) => unknown;
      const scheduledMethod = function (this: unknown, ...args: unknown[]): unknown {
        const result = method.apply(this === receiver ? target : this, args);
        if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') return result;
        return scheduler.schedule(Promise.resolve(result as PromiseLike<unknown>), `${name}.${property}(${describeArgs(args)})`);
      };
      wrapped.set(property, scheduledMethod);
      return scheduledMethod;
    },
  });
}
