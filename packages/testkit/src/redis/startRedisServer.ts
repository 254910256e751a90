import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertKnownOptions } from '../assertKnownOptions.js';
import { requireRedisServerBinary } from './findRedisServer.js';

export interface RedisServerOptions {
  /** Port to listen on. Default: a free ephemeral port chosen at start (kept across `restart()`). */
  port?: number;
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Path of the redis-server binary. Default: `REDIS_SERVER_BIN`, else `redis-server` on PATH. */
  binary?: string;
  /** Persistence for durability tests. Default: none (`--save "" --appendonly no`). */
  persistence?: { appendonly: true; appendfsync?: 'always' | 'everysec' | 'no' };
  /** Require this password (`--requirepass`); `url` then carries it and readiness checks AUTH first. */
  password?: string;
  /** Extra `--name value` arguments passed to redis-server as they are. */
  args?: readonly string[];
  /** How long to wait for the server to answer PING. Default 10000 ms. */
  startTimeoutMs?: number;
}

/** A running redis-server; `await using server = await startRedisServer()` stops it at the end of the block. */
export interface RedisServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port`, or `redis://:password@host:port` when a password is set. */
  readonly url: string;
  /** Working directory (AOF/RDB files live here); removed by `stop()`. */
  readonly dir: string;
  /** PID of the current redis-server process (changes after `restart()`). */
  readonly pid: number | undefined;
  /** True between a successful start and the process exiting. */
  readonly running: boolean;
  /** Graceful shutdown (SIGTERM, SIGKILL after 5 s), then removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits until the process has exited. `dir` is kept. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing (a stall). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops the process if it runs and starts a new one on the same port and directory. */
  restart(): Promise<void>;
}

/** Thrown when redis-server does not come up; carries the tail of its output. */
export class RedisServerStartError extends Error {
  override readonly name = 'RedisServerStartError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(output === '' ? message : `${message}\n--- redis-server output ---\n${output}`);
  }
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Kills `child` when this process exits, in case a test forgot to stop it. Internal (launchers only). */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A test that forgets stop(), or a runner that exits early, must not leave servers behind.
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

/** A redis-server process being started: the tail of its output, and why it can no longer come up. Internal (launchers only). */
export interface StartingProcess {
  readonly child: ChildProcess;
  /** The last 4,000 characters it wrote to stdout and stderr. */
  output(): string;
  /** Why it will not come up (it could not be run, or it exited), or undefined while it may. */
  failure(name: string): string | undefined;
}

/** Spawns `binary args`, tracked (killed if this process exits), its output kept for the start error. */
export function spawnRedisProcess(binary: string, args: readonly string[]): StartingProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  return {
    child,
    output: () => output,
    failure: (name) => {
      if (spawnError !== undefined) return `could not run ${binary}: ${spawnError.message}`;
      if (child.exitCode !== null || child.signalCode !== null) {
        return `${name} exited during start (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`;
      }
      return undefined;
    },
  };
}

/** Resolves once `c` has exited (at once if it already has). */
export function processExited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', () => resolve()));
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe server'));
      });
    });
  });
}

/**
 * One PING round trip (after AUTH when a password is given); resolves true on +PONG, false on
 * any error reply, refusal or timeout.
 */
export function pingOnce(host: string, port: number, timeoutMs = 500, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    const lines = password === undefined ? 1 : 2;
    socket.once('connect', () => {
      if (password !== undefined) socket.write(`*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n`);
      socket.write('PING\r\n');
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const got = reply.split('\r\n');
      if (got.length > lines) done(got[lines - 1]?.startsWith('+PONG') === true);
    });
  });
}

const SERVER_OPTIONS: readonly (keyof RedisServerOptions)[] = ['port', 'host', 'binary', 'persistence', 'password', 'args', 'startTimeoutMs'];

function validate(options: RedisServerOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`startRedisServer: options must be an object, got ${String(options)}`);
  assertKnownOptions('startRedisServer', options, SERVER_OPTIONS);
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) {
    throw new RangeError(`startRedisServer: port must be an integer from 1 to 65535, got ${String(options.port)}`);
  }
  if (options.startTimeoutMs !== undefined && !(options.startTimeoutMs > 0 && Number.isFinite(options.startTimeoutMs))) {
    throw new RangeError(`startRedisServer: startTimeoutMs must be a positive finite number, got ${String(options.startTimeoutMs)}`);
  }
}

/**
 * Starts a real redis-server on an ephemeral loopback port in a fresh temp directory, with no
 * persistence unless asked, and resolves once it answers PING. Never touches a Redis on 6379.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  validate(options);
  const binary = options.binary ?? requireRedisServerBinary();
  const host = options.host ?? '127.0.0.1';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'asyncguard-redis-'));

  let child: ChildProcess | undefined;
  let port = options.port ?? 0;
  let paused = false;
  let stopped = false;

  const args = (): string[] => {
    const a = ['--port', String(port), '--bind', host, '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'no', '--logfile', ''];
    if (options.persistence?.appendonly) a.push('--appendonly', 'yes', '--appendfsync', options.persistence.appendfsync ?? 'everysec');
    else a.push('--appendonly', 'no');
    if (options.password !== undefined) a.push('--requirepass', options.password);
    a.push(...(options.args ?? []));
    return a;
  };


  const launch = async (): Promise<void> => {
    const started = spawnRedisProcess(binary, args());
    const c = started.child;
    child = c;
    paused = false;
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      const failure = started.failure('redis-server');
      if (failure !== undefined) throw new RedisServerStartError(failure, started.output());
      if (await pingOnce(host, port, 250, options.password)) {
        c.unref();
        return;
      }
      await sleep(15);
    }
    c.kill('SIGKILL');
    await processExited(c);
    throw new RedisServerStartError(`redis-server did not answer PING on ${host}:${port} within ${startTimeoutMs} ms`, started.output());
  };

  try {
    if (options.port !== undefined) {
      await launch();
    } else {
      // Another process may take the probed port before redis-server binds it: try a few ports.
      for (let attempt = 1; ; attempt++) {
        port = await freePort(host);
        try {
          await launch();
          break;
        } catch (err) {
          if (attempt >= 3 || !(err instanceof RedisServerStartError) || !/address already in use/i.test(err.output)) throw err;
        }
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const terminate = async (c: ChildProcess): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    if (paused) c.kill('SIGCONT');
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await processExited(c);
    clearTimeout(timer);
  };

  const server: RedisServer = {
    host,
    get port() {
      return port;
    },
    get url() {
      const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
      return `redis://${auth}${host}:${port}`;
    },
    dir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child !== undefined) await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]: () => server.stop(),
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child === undefined || !server.running) return;
      const c = child;
      c.kill(signal);
      if (signal !== 'SIGKILL' && paused) c.kill('SIGCONT');
      await processExited(c);
    },
    pause() {
      if (child === undefined || !server.running) throw new Error('redis-server is not running');
      child.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      if (child === undefined || !server.running) throw new Error('redis-server is not running');
      child.kill('SIGCONT');
      paused = false;
    },
    async restart() {
      if (stopped) throw new Error('redis-server was stopped; start a new one');
      if (child !== undefined) await terminate(child);
      await launch();
    },
  };
  return server;
}
