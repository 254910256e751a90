import { createServer, type Server, type Socket } from 'node:net';
import { FAULT_PLAN_OPTIONS, FaultPlan, type FaultPlanOptions } from '../../faults/FaultPlan.js';
import { FaultSpecError } from '../../faults/FaultSpecError.js';
import { rejectUnknownOptions } from '../../faults/rejectUnknownOptions.js';
import { defaultSeed } from '../../faults/seededRandom.js';
import { ProxyConnection, type ProxyCounters } from './ProxyConnection.js';
import { resolveRespLimits, type RespLimits } from './respScan.js';
import { resolveToxic, type ResolvedToxic, type Toxic } from './ToxicSpec.js';

export interface ChaosProxyOptions {
  /** The TCP server to forward to. */
  upstream: { host?: string; port: number };
  /** Where to listen. Default `127.0.0.1` on an ephemeral port. */
  listen?: { host?: string; port?: number };
  /**
   * `resp`: read Redis commands and replies, so {@link ChaosProxy.faults} rules apply per command.
   * `tcp`: bytes only. Default `resp` when `faults` is given, else `tcp`.
   */
  protocol?: 'tcp' | 'resp';
  /** Seed of every random draw (toxicity, jitter, slicer sizes, fault probabilities). Default: `ASYNCGUARD_FAULT_SEED`, else random. */
  seed?: number;
  /** Initial fault rules for `resp` mode (the same rules `createFaultyRedis` takes). */
  faults?: Omit<FaultPlanOptions, 'seed'>;
  /** Toxics to start with. */
  toxics?: readonly Toxic[];
  /**
   * How far `resp` mode follows RESP before it treats a connection's bytes as not RESP and just
   * forwards them (rules then no longer apply on it). Defaults are Redis's own: bulk strings up to
   * 512 MB (`proto-max-bulk-len`), replies nested up to 1024 deep (hiredis).
   */
  respLimits?: RespLimits;
}

const CHAOS_PROXY_OPTIONS: readonly (keyof ChaosProxyOptions)[] = ['upstream', 'listen', 'protocol', 'seed', 'faults', 'toxics', 'respLimits'];

export interface ChaosProxyStats {
  connections: { total: number; active: number; upstreamErrors: number };
  /** Client → server: bytes read from clients, bytes written to the server. */
  upstream: { received: number; sent: number };
  /** Server → client: bytes read from the server, bytes written to clients. */
  downstream: { received: number; sent: number };
}

function validatePort(value: unknown, path: string, allowZero: boolean): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 65535) {
    throw new FaultSpecError(path, `an integer from ${allowZero ? 0 : 1} to 65535`, value);
  }
}

/**
 * A TCP chaos proxy in pure Node (no binary): toxics in Toxiproxy's vocabulary per direction,
 * added and removed while connections are open, and — in `resp` mode — Redis-aware faults that
 * reply with an error, hang one reply, cut a reply halfway or reset the connection when a command
 * matches. Binds 127.0.0.1 by default. `stop()` closes every socket and timer it made.
 */
export class ChaosProxy implements AsyncDisposable {
  readonly seed: number;
  readonly #options: ChaosProxyOptions;
  readonly #upstream: { host: string; port: number };
  readonly #toxics: { toxic: ResolvedToxic; ordinal: number }[] = [];
  readonly #connections = new Set<ProxyConnection>();
  readonly #plan: FaultPlan | undefined;
  readonly #respLimits: Required<RespLimits>;
  readonly #counters: ProxyCounters = { upstreamReceived: 0, upstreamSent: 0, downstreamReceived: 0, downstreamSent: 0, upstreamErrors: 0 };
  #server: Server | undefined;
  #total = 0;
  #toxicOrdinal = 0;
  #port = 0;
  #enabled = true;

  constructor(options: ChaosProxyOptions) {
    if (typeof options !== 'object' || options === null) throw new FaultSpecError('options', 'an object', options);
    rejectUnknownOptions(options, CHAOS_PROXY_OPTIONS);
    if (typeof options.upstream !== 'object' || options.upstream === null) throw new FaultSpecError('upstream', 'an object { host?, port }', options.upstream);
    rejectUnknownOptions(options.upstream, ['host', 'port'], 'upstream');
    validatePort(options.upstream.port, 'upstream.port', false);
    if (options.listen !== undefined) {
      if (typeof options.listen !== 'object' || options.listen === null) throw new FaultSpecError('listen', 'an object { host?, port? }', options.listen);
      rejectUnknownOptions(options.listen, ['host', 'port'], 'listen');
    }
    if (options.faults !== undefined) {
      if (typeof options.faults !== 'object' || options.faults === null) throw new FaultSpecError('faults', 'an object { rules?, logLimit? }', options.faults);
      rejectUnknownOptions(options.faults, FAULT_PLAN_OPTIONS.filter((key) => key !== 'seed'), 'faults');
    }
    this.#respLimits = resolveRespLimits(options.respLimits);
    if (options.listen?.port !== undefined) validatePort(options.listen.port, 'listen.port', true);
    if (options.protocol !== undefined && options.protocol !== 'tcp' && options.protocol !== 'resp') throw new FaultSpecError('protocol', '"tcp" or "resp"', options.protocol);
    if (options.protocol === 'tcp' && options.faults !== undefined) throw new FaultSpecError('faults', 'absent when protocol is "tcp" (fault rules need "resp")', options.faults);
    this.#options = options;
    this.seed = options.seed ?? defaultSeed();
    this.#upstream = { host: options.upstream.host ?? '127.0.0.1', port: options.upstream.port };
    const resp = options.protocol === 'resp' || (options.protocol === undefined && options.faults !== undefined);
    if (resp) this.#plan = new FaultPlan({ ...options.faults, seed: this.seed });
    for (const toxic of options.toxics ?? []) this.addToxic(toxic);
  }

  /** The port the proxy listens on (after `start()`). */
  get port(): number {
    return this.#port;
  }
  get host(): string {
    return this.#options.listen?.host ?? '127.0.0.1';
  }
  /** `redis://host:port` of the proxy, for Redis clients. */
  get url(): string {
    return `redis://${this.host}:${this.#port}`;
  }

  /** Command-level fault rules (only in `resp` mode). */
  get faults(): FaultPlan {
    if (this.#plan === undefined) throw new Error('ChaosProxy.faults: fault rules need { protocol: "resp" }; this proxy forwards bytes only');
    return this.#plan;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) throw new Error('ChaosProxy.start(): already started');
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.listen?.port ?? 0, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined); // after listening, accept errors (EMFILE...) must not crash the test process
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('ChaosProxy.start(): could not read the listening port');
    this.#port = address.port;
  }

  /** Stops listening and closes every connection (RST, nothing pending is delivered). Safe to call twice. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#enabled = false;
    const open = [...this.#connections];
    this.closeConnections('destroy');
    await Promise.all(open.map((c) => c.done));
    if (server === undefined || !server.listening) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `await using proxy = new ChaosProxy(…)` (after `start()`): stops it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Closes every open connection now: `close` (FIN), `reset` (RST) or `destroy`. The proxy keeps listening. */
  closeConnections(mode: 'close' | 'reset' | 'destroy' = 'close'): void {
    for (const connection of [...this.#connections]) connection.close(mode);
  }

  /** Refuses (closes at once) new connections until `enable()`, like taking the server away; open ones are closed. */
  disable(): void {
    this.#enabled = false;
    this.closeConnections('close');
  }
  enable(): void {
    this.#enabled = true;
  }

  /** Adds a toxic to open and future connections; returns its name. */
  addToxic(toxic: Toxic): string {
    const resolved = resolveToxic(toxic);
    if (this.#toxics.some((t) => t.toxic.name === resolved.name)) {
      throw new FaultSpecError(`${resolved.type}.name`, `unique: a toxic named "${resolved.name}" already exists (give a name)`, resolved.name);
    }
    const ordinal = ++this.#toxicOrdinal;
    this.#toxics.push({ toxic: resolved, ordinal });
    for (const connection of this.#connections) connection.addToxic(resolved, ordinal);
    return resolved.name;
  }

  /** Removes a toxic; data it held is passed on at once. Returns whether it existed. */
  removeToxic(name: string): boolean {
    const at = this.#toxics.findIndex((t) => t.toxic.name === name);
    if (at < 0) return false;
    this.#toxics.splice(at, 1);
    for (const connection of this.#connections) connection.removeToxic(name);
    return true;
  }

  /** Replaces a toxic's attributes (remove + add under the same name). */
  updateToxic(name: string, attributes: Partial<Toxic>): string {
    const current = this.#toxics.find((t) => t.toxic.name === name)?.toxic;
    if (current === undefined) throw new Error(`ChaosProxy.updateToxic: no toxic named "${name}"`);
    const next = resolveToxic({ ...current, ...attributes, name, type: current.type });
    this.removeToxic(name);
    return this.addToxic(next);
  }

  removeAllToxics(): void {
    for (const { toxic } of [...this.#toxics]) this.removeToxic(toxic.name);
  }

  /** Toxics in chain order. */
  toxics(): readonly ResolvedToxic[] {
    return this.#toxics.map((t) => t.toxic);
  }

  stats(): ChaosProxyStats {
    const c = this.#counters;
    return {
      connections: { total: this.#total, active: this.#connections.size, upstreamErrors: c.upstreamErrors },
      upstream: { received: c.upstreamReceived, sent: c.upstreamSent },
      downstream: { received: c.downstreamReceived, sent: c.downstreamSent },
    };
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (!this.#enabled) {
      socket.destroy();
      return;
    }
    this.#total++;
    const connection = new ProxyConnection(socket, this.#upstream, this.#total, this.seed, this.#toxics, this.#plan, this.#counters, (c) => this.#connections.delete(c), this.#respLimits);
    this.#connections.add(connection);
    connection.open();
  }
}
