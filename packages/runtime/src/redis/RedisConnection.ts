import { runOutsideDeadline } from '../internal/AmbientDeadline.js';
import { TimeoutError } from '../errors/TimeoutError.js';
import { withTimeout } from '../withTimeout.js';
import { destroyStream, isCluster } from './closeIoredisClient.js';
import { redactCredentials } from './redactCredentials.js';
import { createIoredisClient, type IoredisClient, type IoredisModule, loadIoredis } from './createIoredisClient.js';
import type { RedisLog } from './RedisLog.js';
import type { ResolvedRedisManagerOptions } from './RedisManagerOptions.js';
import { unavailableError } from './unavailableError.js';

/** The shared connection's state: `idle` until the first command asks for it (lazy connect). */
export type ConnState = 'idle' | 'connecting' | 'ready' | 'down' | 'closed';

/** Something waiting for the connection to become ready. */
export interface ReadyWaiter {
  /** In the connection's waiter list and counted in `liveWaiters`. */
  queued: boolean;
  ready(): void;
  fail(reason: string): void;
}

/** Told when the connection changes (the health monitor). */
export interface ConnectionObserver {
  /** The shared client was created (by the first command): start watching it. */
  connectionCreated(): void;
  /** The state changed; `reason` says why. */
  connectionChanged(reason: string): void;
}

/** A reply-resumed burst leaves in parts of a third of its size (see {@link RedisConnection.beforeWrite}). */
const BURST_PARTS = 3;

/**
 * The manager's shared connection and its dedicated ones: connects lazily, attaches to the
 * client's events, fails fast while Redis is down, queues (bounded) what waits for it to become
 * ready, replaces a stalled connection, opens dedicated connections (blocking pool, subscriber)
 * and sends the health PING. Knows nothing of commands, breakers or stats. @internal
 */
export class RedisConnection {
  io: IoredisModule | undefined = undefined;
  client: IoredisClient | undefined = undefined;
  state: ConnState = 'idle';
  /** Set when the manager starts closing: nothing reconnects or is replaced any more. */
  closing = false;
  /** When the current connect attempt started (`performance.now()`). */
  connectingSince = 0;
  observer: ConnectionObserver | undefined = undefined;
  /** The socket whose writes are held until the end of the tick (see {@link beforeWrite}). */
  corked: { cork(): void; uncork(): void } | undefined = undefined;
  /** Replies since the last command write; whether a command was written since the last reply (see {@link beforeWrite}). */
  private repliesSinceWrite = 0;
  private wroteSinceReply = false;
  /** Commands written into the corked socket this tick; the size of the parts it leaves in early, 0 for none (see {@link beforeWrite}). */
  private burstWrites = 0;
  private burstPart = 0;
  /** Standalone and Sentinel only; Cluster spreads commands over node sockets. */
  readonly corkable: boolean;
  private lastError = '';
  private readonly waiters: ReadyWaiter[] = [];
  private liveWaiters = 0;
  private lastReplyAt = 0;
  /** Timed-out commands since the last reply, each after a whole budget of silence. */
  private silentTimeouts = 0;

  constructor(
    private readonly options: ResolvedRedisManagerOptions,
    private readonly log: RedisLog,
  ) {
    this.corkable = options.mode !== 'cluster';
  }

  /** Queues `waiter` until the connection is ready (bounded), or fails it at once when Redis is down. */
  awaitConnection(waiter: ReadyWaiter): void {
    if (this.state === 'idle') this.startConnecting();
    switch (this.state) {
      case 'closed':
        failSoon(waiter, 'the manager is closed');
        return;
      case 'down':
        // Fail fast: the last connection attempt failed; the reconnect loop runs in the background.
        failSoon(waiter, this.lastError === '' ? 'Redis is down' : `Redis is down (${this.lastError})`);
        return;
      default:
        break;
    }
    if (this.liveWaiters >= this.options.bulkhead.maxQueue) {
      failSoon(waiter, `offline queue full (${this.options.bulkhead.maxQueue} commands waiting for a connection)`);
      return;
    }
    this.liveWaiters++;
    waiter.queued = true;
    // Waiters that left early (deadline) stay in the array until the next flush; compact it
    // when they pile up so a long reconnect can't grow it without bound.
    if (this.waiters.length > 2 * this.liveWaiters + 64) {
      const live = this.waiters.filter((w) => w.queued);
      this.waiters.length = 0;
      this.waiters.push(...live);
    }
    this.waiters.push(waiter);
  }

  /** Takes `waiter` out of the queue (it settled some other way). */
  unqueue(waiter: ReadyWaiter): void {
    if (!waiter.queued) return;
    waiter.queued = false;
    this.liveWaiters--;
  }

  /** Fails every waiter with `reason` (close). */
  failWaiters(reason: string): void {
    for (const w of this.waiters.splice(0)) {
      if (!w.queued) continue;
      this.unqueue(w);
      w.fail(reason);
    }
  }

  /** The server answered something: the connection is alive. */
  replied(now: number): void {
    this.lastReplyAt = now;
    this.silentTimeouts = 0;
    if (this.wroteSinceReply) {
      this.wroteSinceReply = false;
      this.repliesSinceWrite = 0;
    }
    this.repliesSinceWrite++;
  }

  /**
   * A command sent on the shared connection timed out. Nothing has come back for a whole budget,
   * for a second timed-out command in a row: it is stalled or blackholed (one slow command alone
   * is not enough). Replace it; the commands still queued on it fail at once.
   */
  commandTimedOut(now: number, budgetMs: number): void {
    if (now - this.lastReplyAt >= budgetMs && ++this.silentTimeouts >= 2) {
      this.recycle(`no reply for ${Math.round(now - this.lastReplyAt)} ms`);
    }
  }

  /**
   * Called before each command is written to the shared socket: write it at once, or cork the
   * socket until the end of the tick so the commands issued in this tick leave in one `writev`
   * instead of one syscall each (what dominates the client's CPU at high concurrency). Only when
   * {@link corkable} (Cluster spreads commands over node sockets). Nothing waits past the tick it
   * was issued in, and no tick callback is scheduled for a command written at once (that alone
   * was a third of the manager's overhead over raw ioredis at concurrency 1).
   *
   * Written at once: a lone command — nothing else awaits a reply on the socket, and it is not
   * one of a burst of callers resumed by the same read (two or more replies since the last
   * write), as at concurrency 1. Everything else is corked. A burst of callers resumed by one read
   * announces its size (the replies since the last write). What it adds to the commands still in
   * flight is sent a third at a time: each time another third has been issued, what is held leaves
   * as the next command comes (a burst of two: the first as the second comes), and the rest leaves
   * at the end of the tick. Redis works on each part while node runs the callers of the next, and
   * neither waits for the other for long.
   * Measured (bench/redis/RESULTS.md) on an idle machine at concurrency 10, against raw ioredis:
   * holding the whole burst 0.61–0.77× (the two processes took turns); sending only the first
   * command early 0.77–1.07×; sending half early 0.83–1.35×, 0.94–0.99× in a later paired run;
   * thirds 1.11–1.26× in that run and 1.13–1.29× in four bench runs. Concurrency 100 stays at
   * 2.5–3.4×; under load concurrency 10 and 100 are 1.25–3.3×.
   */
  beforeWrite(client: IoredisClient): void {
    this.wroteSinceReply = true;
    if (!this.corkable) return;
    const corked = this.corked;
    if (corked !== undefined) {
      // Another part is held: it leaves as this command comes.
      if (this.burstPart > 0 && this.burstWrites++ % this.burstPart === 0) {
        corked.uncork();
        corked.cork();
      }
      return;
    }
    const { commandQueue, stream } = client as { commandQueue?: { length: number }; stream?: { cork(): void; uncork(): void; writable?: boolean } };
    const replyBurst = this.repliesSinceWrite >= 2;
    if (!replyBurst && commandQueue?.length === 0) return;
    if (stream === undefined || stream.writable !== true) return;
    stream.cork();
    this.corked = stream;
    this.burstWrites = 1;
    // A burst of callers resumed by one read: as many as the replies since the last write. What
    // it adds to the commands in flight leaves a third at a time, so that Redis works on each part
    // while the next is issued (nothing early when enough are in flight already).
    const added = replyBurst ? this.repliesSinceWrite - (commandQueue?.length ?? 0) : 0;
    this.burstPart = added >= 2 ? Math.max(1, Math.floor(added / BURST_PARTS)) : 0;
    process.nextTick(this.uncork);
  }

  private readonly uncork = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    // The burst that corked this tick is over; a lone command in a later tick goes straight out.
    this.repliesSinceWrite = 0;
    stream?.uncork();
  };

  /** Marks the connection closed (the manager closes the client itself). */
  markClosed(): void {
    this.setState('closed', 'closed');
  }

  private startConnecting(): void {
    if (this.state !== 'idle') return;
    // The connection and its health checks serve every caller: they must not inherit the
    // ambient deadline of the command that happened to start them.
    runOutsideDeadline(() => this.connect());
  }

  private connect(): void {
    this.setState('connecting', 'connecting');
    this.connectingSince = performance.now();
    loadIoredis().then(
      (io) => {
        if (this.closing) return;
        this.io = io;
        const client = createIoredisClient(io, this.options);
        this.client = client;
        this.attach(client);
        this.observer?.connectionCreated();
        client.connect().catch(() => {
          // Failures arrive as 'error'/'close' events, handled in attach().
        });
      },
      (err: unknown) => {
        this.markDown(err instanceof Error ? err.message : String(err));
      },
    );
  }

  private attach(client: IoredisClient): void {
    const { name, description, secrets } = this.options;
    client.on('ready', () => {
      this.replied(performance.now());
      this.setState('ready', 'connected');
      const waiting = this.waiters.splice(0);
      for (const w of waiting) {
        if (!w.queued) continue;
        this.unqueue(w);
        w.ready();
      }
    });
    client.on('error', (err: Error) => {
      const message = redactCredentials(err.message, secrets);
      if (client.status !== 'ready') {
        // A connect attempt failed: fail fast until the reconnect loop gets through.
        this.markDown(message);
      }
      this.log.once(`error:${message}`, 'warn', `redis ${name}: ${message}`, { target: description });
    });
    // Cluster reports node-level failures separately.
    client.on('node error', (err: Error) => {
      this.log.once(`node:${err.message}`, 'warn', `redis ${name} cluster node: ${redactCredentials(err.message, secrets)}`, {});
    });
    client.on('close', () => {
      if (this.state === 'ready') {
        this.connectingSince = performance.now();
        this.setState('connecting', 'connection closed; reconnecting');
      }
    });
    client.on('connecting', () => {
      this.connectingSince = performance.now();
    });
    client.on('reconnecting', () => {
      if (this.state === 'ready') this.setState('connecting', 'reconnecting');
    });
    client.on('end', () => {
      if (!this.closing) this.markDown('connection ended');
    });
  }

  private markDown(reason: string): void {
    this.lastError = reason;
    if (this.state === 'closed') return;
    this.setState('down', reason);
    const waiting = this.waiters.splice(0);
    for (const w of waiting) {
      if (!w.queued) continue;
      this.unqueue(w);
      w.fail(`Redis is down (${reason})`);
    }
  }

  private setState(state: ConnState, reason: string): void {
    this.state = state;
    this.observer?.connectionChanged(reason);
  }

  /** Replaces a stalled connection: destroying the socket fails what was queued on it at once. */
  recycle(reason: string): void {
    const client = this.client;
    if (client === undefined || this.closing) return;
    this.log.once('recycle', 'warn', `redis ${this.options.name}: replacing a stalled connection (${reason})`, { target: this.options.description });
    this.replied(performance.now());
    if (isCluster(client)) {
      for (const node of client.nodes('all')) destroyStream(node);
    } else {
      destroyStream(client);
    }
    this.markDown(reason);
  }

  /** Opens a dedicated connection (blocking pool, subscriber) within `budgetMs`. */
  async openDedicated(budgetMs: number): Promise<IoredisClient> {
    const io = this.io ?? (this.io = await loadIoredis());
    const client = createIoredisClient(io, this.options);
    client.on('error', (err: Error) => {
      this.log.once(`dedicated:${err.message}`, 'warn', `redis ${this.options.name} (dedicated connection): ${redactCredentials(err.message, this.options.secrets)}`, {});
    });
    try {
      await withTimeout(client.connect(), budgetMs, { operation: 'redis.connect', outcome: 'not-sent' });
    } catch (err) {
      client.disconnect();
      if (err instanceof TimeoutError) throw err;
      throw unavailableError('redis.connect', err, 'not-sent', this.options.secrets);
    }
    return client;
  }

  /** Resolves when the shared connection is ready, within `budgetMs`; for non-hot paths. */
  whenReady(budgetMs: number, operation: string): Promise<void> {
    if (this.client !== undefined && this.client.status === 'ready') return Promise.resolve();
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      const st: { settled: boolean; timer: NodeJS.Timeout | undefined } = { settled: false, timer: undefined };
      const waiter: ReadyWaiter = {
        queued: false,
        ready: () => {
          if (st.settled) return;
          st.settled = true;
          clearTimeout(st.timer);
          resolve();
        },
        fail: (reason) => {
          if (st.settled) return;
          st.settled = true;
          clearTimeout(st.timer);
          reject(unavailableError(operation, reason, 'not-sent', this.options.secrets, { elapsedMs: performance.now() - started, budgetMs }));
        },
      };
      this.awaitConnection(waiter);
      if (st.settled) return;
      st.timer = setTimeout(() => {
        if (st.settled) return;
        st.settled = true;
        this.unqueue(waiter);
        reject(new TimeoutError({ operation, budgetMs, elapsedMs: performance.now() - started, outcome: 'not-sent' }));
      }, budgetMs);
    });
  }

  /** A PING outside the breaker and the bulkhead (it is how the breaker learns Redis is back). */
  ping(client: IoredisClient, budgetMs: number): Promise<unknown> {
    const io = this.io as IoredisModule;
    const command = new io.Command('ping', [], { replyEncoding: 'utf8' });
    client.sendCommand(command);
    command.promise.then(
      () => this.replied(performance.now()),
      () => undefined,
    );
    return withTimeout(command.promise, budgetMs, { operation: 'redis.ping', outcome: 'unknown' });
  }
}

function failSoon(waiter: ReadyWaiter, reason: string): void {
  setImmediate(() => waiter.fail(reason));
}
