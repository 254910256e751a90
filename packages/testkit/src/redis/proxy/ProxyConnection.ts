import { Socket } from 'node:net';
import type { FaultPlan } from '../../faults/FaultPlan.js';
import { mix32, seededRandom } from '../../faults/seededRandom.js';
import { createToxicStage } from './toxics/createToxicStage.js';
import { RespFaultSession } from './RespFaultSession.js';
import { DEFAULT_RESP_LIMITS, type RespLimits } from './respScan.js';
import { END, type Item, type Receiver, type Stage } from './Stage.js';
import type { ResolvedToxic, ToxicStream } from './ToxicSpec.js';

/** Byte counters shared by all connections of a proxy. */
export interface ProxyCounters {
  upstreamReceived: number;
  upstreamSent: number;
  downstreamReceived: number;
  downstreamSent: number;
  upstreamErrors: number;
}

interface Link {
  toxic: ResolvedToxic;
  stage: Stage | undefined; // undefined when the toxicity draw spared this connection
}

/**
 * One client connection and its upstream connection, with a chain of toxic stages in each
 * direction (and the RESP fault session between the chains when the proxy speaks RESP).
 */
export class ProxyConnection {
  readonly server: Socket;
  readonly #links: Record<ToxicStream, Link[]> = { upstream: [], downstream: [] };
  readonly #resp: RespFaultSession | undefined;
  readonly #sinks: Record<ToxicStream, Receiver>;
  #closed = false;
  #open = 2;
  #guard: NodeJS.Timeout | undefined;
  #resolveDone!: () => void;
  /** Settles once both sockets have closed. */
  readonly done = new Promise<void>((resolve) => {
    this.#resolveDone = resolve;
  });

  constructor(
    readonly client: Socket,
    private readonly upstream: { host: string; port: number },
    readonly index: number,
    private readonly seed: number,
    toxics: readonly { toxic: ResolvedToxic; ordinal: number }[],
    plan: FaultPlan | undefined,
    private readonly counters: ProxyCounters,
    private readonly onDone: (connection: ProxyConnection) => void,
    respLimits: Required<RespLimits> = DEFAULT_RESP_LIMITS,
  ) {
    this.server = new Socket({ allowHalfOpen: true });
    client.setNoDelay(true);

    const writeTo = (socket: Socket, source: Socket, counter: 'upstreamSent' | 'downstreamSent'): Receiver => ({
      push: (item: Item) => {
        if (socket.destroyed || socket.writableEnded) return;
        if (item === END) {
          socket.end();
          return;
        }
        this.counters[counter] += item.length;
        if (!socket.write(item) && !source.isPaused()) {
          source.pause(); // backpressure: stop reading the other side until this one drains
          socket.once('drain', () => source.resume());
        }
      },
    });
    const toServer = writeTo(this.server, client, 'upstreamSent');
    const toClient = writeTo(client, this.server, 'downstreamSent');
    if (plan !== undefined) {
      this.#resp = new RespFaultSession(plan, toServer, () => this.#head('downstream'), (mode) => this.close(mode), respLimits);
      this.#sinks = { upstream: this.#resp.upstreamSink, downstream: toClient };
    } else {
      this.#sinks = { upstream: toServer, downstream: toClient };
    }
    for (const { toxic, ordinal } of toxics) this.addToxic(toxic, ordinal);

    client.on('data', (chunk: Buffer) => {
      this.counters.upstreamReceived += chunk.length;
      this.#head('upstream').push(chunk);
    });
    client.on('end', () => this.#head('upstream').push(END));
    const fromServer = (): Receiver => (this.#resp !== undefined ? this.#resp.downstreamSource : this.#head('downstream'));
    this.server.on('data', (chunk: Buffer) => {
      this.counters.downstreamReceived += chunk.length;
      fromServer().push(chunk);
    });
    this.server.on('end', () => fromServer().push(END));

    let connected = false;
    this.server.once('connect', () => {
      connected = true;
    });
    client.on('error', (error: NodeJS.ErrnoException) => this.close(error.code === 'ECONNRESET' ? 'reset' : 'close'));
    this.server.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) this.counters.upstreamErrors++; // refused, unreachable: never got through
      this.close(error.code === 'ECONNRESET' ? 'reset' : 'close');
    });
    const closed = (socket: Socket, other: Socket) => () => {
      // A socket that closed without its peer's FIN reaching us (destroyed, reset) takes the other with it.
      if (!socket.readableEnded) other.destroy();
      if (--this.#open === 0) this.#finish();
    };
    client.on('close', closed(client, this.server));
    this.server.on('close', closed(this.server, client));
  }

  /** Connects to the upstream server; bytes the client sends meanwhile are queued by the socket. */
  open(): void {
    this.server.connect({ host: this.upstream.host, port: this.upstream.port, noDelay: true });
  }

  /** Puts a toxic at the end of its direction's chain (if its toxicity draw says so). */
  addToxic(toxic: ResolvedToxic, ordinal: number): void {
    const random = seededRandom((this.seed ^ mix32(this.index * 7919 + ordinal)) >>> 0);
    const links = this.#links[toxic.stream];
    const applies = toxic.toxicity >= 1 || random() < toxic.toxicity;
    const link: Link = { toxic, stage: undefined };
    if (applies && !this.#closed) {
      const stage = createToxicStage(toxic, { random, closeConnection: (mode) => this.close(mode) }, this.#sinks[toxic.stream]);
      const previous = [...links].reverse().find((l) => l.stage !== undefined)?.stage;
      if (previous !== undefined) previous.next = stage;
      link.stage = stage;
      links.push(link);
      stage.start();
    } else links.push(link);
  }

  /** Takes a toxic out of the chain, passing on at once whatever it held. */
  removeToxic(name: string): void {
    for (const stream of ['upstream', 'downstream'] as const) {
      const links = this.#links[stream];
      const at = links.findIndex((l) => l.toxic.name === name);
      if (at < 0) continue;
      const [link] = links.splice(at, 1);
      const stage = link?.stage;
      if (stage === undefined) continue;
      const previous = links.slice(0, at).reverse().find((l) => l.stage !== undefined)?.stage;
      if (previous !== undefined) previous.next = stage.next;
      stage.drain();
      stage.dispose();
    }
  }

  #head(stream: ToxicStream): Receiver {
    return this.#links[stream].find((l) => l.stage !== undefined)?.stage ?? this.#sinks[stream];
  }

  /** Closes both sockets: `close` lets pending writes out then sends FIN, `reset` sends RST, `destroy` drops everything. */
  close(mode: 'close' | 'reset' | 'destroy'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dispose();
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      if (mode === 'reset' && typeof socket.resetAndDestroy === 'function' && socket.readyState === 'open') socket.resetAndDestroy();
      else if (mode === 'close' && socket.readyState !== 'opening') socket.end(() => socket.destroy());
      else socket.destroy();
    }
    if (mode === 'close' && this.#open > 0) {
      // A peer that never reads must not keep the sockets: give pending writes a moment, then drop them.
      this.#guard = setTimeout(() => {
        this.client.destroy();
        this.server.destroy();
      }, 1000);
    }
  }

  #dispose(): void {
    for (const stream of ['upstream', 'downstream'] as const) for (const link of this.#links[stream]) link.stage?.dispose();
    this.#resp?.dispose();
  }

  #finish(): void {
    this.#closed = true;
    if (this.#guard !== undefined) clearTimeout(this.#guard);
    this.#guard = undefined;
    this.#dispose();
    this.onDone(this);
    this.#resolveDone();
  }
}
