import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertKnownOptions } from '../assertKnownOptions.js';
import { requireRedisServerBinary } from './findRedisServer.js';
import { sendRedisCommand } from './sendRedisCommand.js';
import { freePort, pingOnce, processExited, spawnRedisProcess } from './startRedisServer.js';

/** A host and port, as ioredis' `sentinels` and `startupNodes` take them. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

export interface RedisSentinelOptions {
  /** The master to monitor, e.g. the handle of `startRedisServer()`. Required. */
  master: RedisAddress;
  /** Name the master is monitored under (ioredis' `name`). Letters, digits, `.`, `_`, `-`. Default `mymaster`. */
  masterName?: string;
  /** How many sentinels must agree that the master is down. Default 1 (this sentinel alone). */
  quorum?: number;
  /** `down-after-milliseconds`: silence after which the master counts as down. Default 500. */
  downAfterMs?: number;
  /** `failover-timeout` in ms. Default 2000. */
  failoverTimeoutMs?: number;
  /** Path of the redis-server binary. Default: `REDIS_SERVER_BIN`, else `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for the sentinel to answer and reach the master. Default 10000 ms. */
  startTimeoutMs?: number;
}

/** A running sentinel; `await using sentinel = await startRedisSentinel({ master })` stops it at the end of the block. */
export interface RedisSentinel extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly masterName: string;
  /** Working directory (the sentinel rewrites its config file here); removed by `stop()`. */
  readonly dir: string;
  /** PID of the sentinel process. */
  readonly pid: number | undefined;
  /** True between a successful start and the process exiting. */
  readonly running: boolean;
  /** The master the sentinel names now (`SENTINEL get-master-addr-by-name`). */
  masterAddress(): Promise<RedisAddress>;
  /** The replicas of the master the sentinel has discovered (from the master's INFO), without those it flags down. */
  replicas(): Promise<RedisAddress[]>;
  /** Resolves with the new master once the sentinel names one other than `from` (after a kill of `from`). */
  waitForFailover(from: RedisAddress, timeoutMs?: number): Promise<RedisAddress>;
  /** SIGKILL (a sentinel keeps no data worth a graceful shutdown), then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** Thrown when the sentinel does not come up or cannot reach its master; carries the tail of its output. */
export class RedisSentinelStartError extends Error {
  override readonly name = 'RedisSentinelStartError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(output === '' ? message : `${message}\n--- redis-server --sentinel output ---\n${output}`);
  }
}

const SENTINEL_OPTIONS: readonly (keyof RedisSentinelOptions)[] = ['master', 'masterName', 'quorum', 'downAfterMs', 'failoverTimeoutMs', 'binary', 'startTimeoutMs'];
const MASTER_NAME = /^[A-Za-z0-9._-]+$/;

function positiveInteger(value: unknown, name: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`startRedisSentinel: ${name} must be a positive integer, got ${String(value)}`);
  }
}

function validate(options: RedisSentinelOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`startRedisSentinel: options must be an object, got ${String(options)}`);
  assertKnownOptions('startRedisSentinel', options, SENTINEL_OPTIONS);
  const { master } = options;
  if (typeof master !== 'object' || master === null) throw new TypeError('startRedisSentinel: options.master must be the { host, port } of the master to monitor');
  if (typeof master.host !== 'string' || master.host === '') throw new TypeError(`startRedisSentinel: options.master.host must be a non-empty string, got ${String(master.host)}`);
  if (!Number.isInteger(master.port) || master.port < 1 || master.port > 65535) {
    throw new RangeError(`startRedisSentinel: options.master.port must be an integer from 1 to 65535, got ${String(master.port)}`);
  }
  if (options.masterName !== undefined && (typeof options.masterName !== 'string' || !MASTER_NAME.test(options.masterName))) {
    throw new TypeError(`startRedisSentinel: masterName must be letters, digits, ".", "_" or "-", got ${JSON.stringify(options.masterName)}`);
  }
  positiveInteger(options.quorum, 'quorum');
  positiveInteger(options.downAfterMs, 'downAfterMs');
  positiveInteger(options.failoverTimeoutMs, 'failoverTimeoutMs');
  if (options.startTimeoutMs !== undefined && !(options.startTimeoutMs > 0 && Number.isFinite(options.startTimeoutMs))) {
    throw new RangeError(`startRedisSentinel: startTimeoutMs must be a positive finite number, got ${String(options.startTimeoutMs)}`);
  }
}

type Resp = string | null | Resp[];

/** Parses one RESP2 reply of the shapes SENTINEL answers with: arrays of (arrays of) bulk strings. */
function parseResp(text: string): Resp {
  const lines = text.split('\r\n');
  let i = 0;
  const next = (): Resp => {
    const line = lines[i++] ?? '';
    const type = line[0];
    if (type === '*') {
      const n = Number(line.slice(1));
      return n < 0 ? null : Array.from({ length: n }, () => next());
    }
    if (type === '$') return Number(line.slice(1)) < 0 ? null : (lines[i++] ?? '');
    if (type === '-') throw new Error(line.slice(1));
    return line.slice(1);
  };
  return next();
}

/** A flat `[key, value, key, value, …]` reply as a map. */
function fields(reply: Resp): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key = reply[i];
    const value = reply[i + 1];
    if (typeof key === 'string' && typeof value === 'string') map.set(key, value);
  }
  return map;
}

/**
 * Starts a real Redis Sentinel (`redis-server <conf> --sentinel`) on an ephemeral loopback port in
 * a fresh temp directory, monitoring `options.master` under `masterName` with short timeouts, so
 * a killed master fails over to its replica within a few seconds. Resolves once the sentinel
 * answers PING and has connected to the master. Start the master (and its replicas) first;
 * for several sentinels call it once per sentinel with the same master and a matching `quorum`.
 */
export async function startRedisSentinel(options: RedisSentinelOptions): Promise<RedisSentinel> {
  validate(options);
  const binary = options.binary ?? requireRedisServerBinary();
  const masterName = options.masterName ?? 'mymaster';
  const master = { host: options.master.host, port: options.master.port };
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const host = '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'asyncguard-sentinel-'));
  const conf = join(dir, 'sentinel.conf');

  let child: ChildProcess | undefined;
  let port = 0;
  let stopped = false;

  const ask = async (args: readonly string[], timeoutMs = 1000): Promise<Resp> => parseResp(await sendRedisCommand(host, port, args, timeoutMs));
  const masterAddress = async (): Promise<RedisAddress> => {
    const reply = await ask(['SENTINEL', 'get-master-addr-by-name', masterName]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') throw new Error(`sentinel ${host}:${port} does not know a master named ${masterName}`);
    return { host: reply[0], port: Number(reply[1]) };
  };

  const launch = async (): Promise<void> => {
    port = await freePort(host);
    // The sentinel rewrites this file (ids, discovered replicas), so it is written fresh per launch.
    await writeFile(
      conf,
      [
        `port ${port}`,
        `bind ${host}`,
        `dir ${dir}`,
        'logfile ""',
        `sentinel monitor ${masterName} ${master.host} ${master.port} ${options.quorum ?? 1}`,
        `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 500}`,
        `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 2000}`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    const started = spawnRedisProcess(binary, [conf, '--sentinel']);
    const c = started.child;
    child = c;
    const deadline = Date.now() + startTimeoutMs;
    let answered = false;
    while (Date.now() < deadline) {
      const failure = started.failure('redis-server --sentinel');
      if (failure !== undefined) throw new RedisSentinelStartError(failure, started.output());
      if (!answered) answered = await pingOnce(host, port, 250);
      if (answered) {
        // Until its link to the master is up the sentinel flags it `disconnected`.
        const flags = fields(await ask(['SENTINEL', 'master', masterName], 500).catch(() => null)).get('flags');
        if (flags === 'master') {
          c.unref();
          return;
        }
      }
      await sleep(15);
    }
    c.kill('SIGKILL');
    await processExited(c);
    const what = answered ? `did not reach its master ${master.host}:${master.port}` : `did not answer PING on ${host}:${port}`;
    throw new RedisSentinelStartError(`sentinel ${what} within ${startTimeoutMs} ms`, started.output());
  };

  try {
    // Another process may take the probed port before the sentinel binds it: try a few ports.
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        break;
      } catch (err) {
        if (attempt >= 3 || !(err instanceof RedisSentinelStartError) || !/address already in use/i.test(err.output)) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const sentinel: RedisSentinel = {
    host,
    port,
    masterName,
    dir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    masterAddress,
    async replicas() {
      const reply = await ask(['SENTINEL', 'replicas', masterName]);
      if (!Array.isArray(reply)) return [];
      return reply
        .map((entry) => fields(entry))
        .filter((f) => !(f.get('flags') ?? '').split(',').some((flag) => flag === 's_down' || flag === 'o_down' || flag === 'disconnected'))
        .map((f) => ({ host: f.get('ip') ?? '', port: Number(f.get('port')) }));
    },
    async waitForFailover(from, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const now = await masterAddress().catch((error: unknown) => error as Error);
        if (!(now instanceof Error) && (now.host !== from.host || now.port !== from.port)) return now;
        last = now instanceof Error ? now.message : `${now.host}:${now.port}`;
        if (Date.now() > deadline) throw new Error(`sentinel ${host}:${port} still named ${last} as ${masterName}'s master after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child !== undefined && sentinel.running) {
        const c = child;
        c.kill('SIGKILL');
        await processExited(c);
      }
      await rm(dir, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]: () => sentinel.stop(),
  };
  return sentinel;
}
