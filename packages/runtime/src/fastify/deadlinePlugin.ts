import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { assertBudget, MAX_TIMER_MS } from '../budgets.js';
import { AmbientDeadline, liveDeadline } from '../internal/AmbientDeadline.js';
import { isThenable } from '../internal/isThenable.js';
import { errorReply, type ErrorReplyOptions } from './errorReply.js';
import { type OptionKeys, rejectUnknownKeys } from '../internal/rejectUnknownKeys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's deadline, ms (`@asyncguard/runtime/fastify`): the handler and everything it
     * calls run under it. `false`: no deadline, and the request header is ignored.
     */
    deadlineMs?: number | false;
  }
}

export interface DeadlinePluginOptions extends ErrorReplyOptions {
  /** Deadline of routes that set none in `config.deadlineMs`, ms. Default: none. */
  defaultMs?: number;
  /**
   * Request header through which a client asks for a deadline, in whole milliseconds; `false`
   * to ignore it. Default `'x-request-timeout'`.
   */
  header?: string | false;
  /**
   * The longest deadline the header may ask for, ms. Default: the route's deadline (a client
   * may shorten it, not extend it); without either, the header's value is used as is.
   */
  maxMs?: number;
  /**
   * Install an error handler that maps asyncguard errors (`errorReply`: 504 / 503 with
   * `Retry-After` and a JSON body naming the operation) and passes every other error on to
   * Fastify's default handler. Default true; with `false`, call `errorReply` from your own.
   */
  errorHandler?: boolean;
}

const OPTION_KEYS: OptionKeys<DeadlinePluginOptions> = { defaultMs: true, header: true, maxMs: true, errorHandler: true, timeoutStatusCode: true, retryAfterSeconds: true };
const WHOLE_MS = /^\d{1,10}$/;
const SCOPE = Symbol('asyncguard.deadline');

type WithScope = FastifyRequest & { [SCOPE]?: AmbientDeadline };

/** A 400 for a malformed deadline header (Fastify's error handler sends its `statusCode`). */
class BadDeadlineHeaderError extends Error {
  override readonly name = 'BadDeadlineHeaderError';
  readonly statusCode = 400;
}

function settle(options: DeadlinePluginOptions): Required<Pick<DeadlinePluginOptions, 'errorHandler'>> & DeadlinePluginOptions & { header: string | false } {
  if (typeof options !== 'object' || options === null) throw new TypeError('asyncguard fastify plugin: options must be an object');
  rejectUnknownKeys(options, OPTION_KEYS, 'asyncguard fastify plugin');
  const { defaultMs, maxMs, header = 'x-request-timeout', errorHandler = true, timeoutStatusCode, retryAfterSeconds } = options;
  if (defaultMs !== undefined) assertBudget(defaultMs, 'asyncguard fastify plugin: options.defaultMs');
  if (maxMs !== undefined) assertBudget(maxMs, 'asyncguard fastify plugin: options.maxMs');
  if (header !== false && (typeof header !== 'string' || header === '')) throw new TypeError('asyncguard fastify plugin: options.header must be a header name or false');
  if (typeof errorHandler !== 'boolean') throw new TypeError('asyncguard fastify plugin: options.errorHandler must be a boolean');
  if (timeoutStatusCode !== undefined && (!Number.isInteger(timeoutStatusCode) || timeoutStatusCode < 500 || timeoutStatusCode > 599)) {
    throw new RangeError(`asyncguard fastify plugin: options.timeoutStatusCode must be a 5xx status, got ${String(timeoutStatusCode)}`);
  }
  if (retryAfterSeconds !== undefined && (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)) {
    throw new RangeError(`asyncguard fastify plugin: options.retryAfterSeconds must be a whole number >= 0, got ${String(retryAfterSeconds)}`);
  }
  return { ...options, header: header === false ? false : header.toLowerCase(), errorHandler };
}

/**
 * A Fastify plugin that runs every route handler under an ambient deadline (`withDeadline`), so
 * each Redis command, timeout, retry, bulkhead wait and offloaded task inside the request is
 * bounded by what is left of it — counted from the request's arrival, not from the handler.
 *
 * - The deadline: the route's `config.deadlineMs`, else `defaultMs`; a client may ask for one
 *   in the `x-request-timeout` header (whole ms), capped by `maxMs` (default: the route's deadline).
 * - Errors (unless `errorHandler: false`): `TimeoutError` → 504, `CircuitOpenError` /
 *   `BulkheadRejectedError` / `RedisUnavailableError` → 503 with `Retry-After`; JSON body with
 *   the operation (see `errorReply`).
 * - Register it before the routes it should cover (it wraps handlers as they are added).
 *
 * ```ts
 * await app.register(asyncguardDeadlines, { defaultMs: 2000, maxMs: 10_000 });
 * app.get('/facts/:id', { config: { deadlineMs: 500 } }, handler);
 * ```
 */
export const asyncguardDeadlines: FastifyPluginCallback<DeadlinePluginOptions> = (fastify, rawOptions, done) => {
  let options: ReturnType<typeof settle>;
  try {
    options = settle(rawOptions);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { defaultMs, maxMs, header } = options;

  fastify.addHook('onRoute', (route: RouteOptions) => {
    const configured = route.config?.deadlineMs;
    if (configured === false) return;
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    const operation = `${method} ${route.url}`;
    const routeMs = configured === undefined ? defaultMs : assertBudget(configured, `route ${operation}: config.deadlineMs`);
    const cap = maxMs ?? routeMs;
    if (routeMs === undefined && header === false) return;
    const handler = route.handler;
    route.handler = function deadlineHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      let ms = routeMs;
      if (header !== false) {
        const asked = requestedMs(request, header);
        if (asked !== undefined) ms = cap === undefined ? asked : Math.min(asked, cap);
      }
      if (ms === undefined) return handler.call(this, request, reply);
      // The budget bounds the whole request, including the time before the handler ran.
      const left = Math.max(0, ms - reply.elapsedTime);
      const scope = new AmbientDeadline(left, operation, performance.now(), liveDeadline());
      let result: unknown;
      try {
        result = scope.enter(() => handler.call(this, request, reply));
      } catch (error) {
        scope.end();
        throw error;
      }
      if (isThenable(result)) return scope.race(result);
      // A handler that replies later (reply.send from a callback) keeps its deadline until the response.
      (request as WithScope)[SCOPE] = scope;
      return result;
    } as typeof handler;
  });

  fastify.addHook('onResponse', (request, _reply, next) => {
    (request as WithScope)[SCOPE]?.end();
    next();
  });
  fastify.addHook('onRequestAbort', (request, next) => {
    (request as WithScope)[SCOPE]?.end();
    next();
  });

  if (options.errorHandler) {
    fastify.setErrorHandler((error, request, reply) => {
      const mapped = errorReply(error, options);
      if (mapped === undefined) {
        reply.send(error); // Fastify's default handling
        return;
      }
      request.log.warn({ err: error, operation: mapped.body.operation }, `${mapped.statusCode}: ${mapped.body.message}`);
      void reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
    });
  }
  done();
};

/** The deadline a request asks for in `header`, or undefined. Throws a 400 for a malformed one. */
function requestedMs(request: FastifyRequest, header: string): number | undefined {
  const raw = request.headers[header];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !WHOLE_MS.test(value.trim()) || Number(value) < 1 || Number(value) > MAX_TIMER_MS) {
    throw new BadDeadlineHeaderError(`${header} must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

// What fastify-plugin would set: apply to the parent context (no encapsulation), and a name.
Object.assign(asyncguardDeadlines, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@asyncguard/runtime/fastify',
  [Symbol.for('plugin-meta')]: { name: '@asyncguard/runtime/fastify', fastify: '>=4.21' },
});
