import type { FaultPlan } from '../../faults/FaultPlan.js';
import { END, type Item, type Receiver } from './Stage.js';
import { DEFAULT_RESP_LIMITS, RespProtocolError, scanCommand, scanReply, type RespLimits } from './respScan.js';

/** Commands after which replies no longer answer commands one to one (CLIENT REPLY too). */
const STREAMING = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'monitor']);

type Slot =
  | { kind: 'server'; releaseAt: number; hang: boolean; cut: boolean; reply: Buffer | undefined }
  | { kind: 'inject'; releaseAt: number; bytes: Buffer }
  | { kind: 'reset'; releaseAt: number }
  | { kind: 'raw' }
  | { kind: 'end' };

/** Collects chunks until a scan says enough bytes are there, without re-copying on every chunk. */
class ByteQueue {
  #chunks: Buffer[] = [];
  #length = 0;
  #need = 1;
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }
  /** The buffered bytes as one buffer, or undefined while fewer than the last `need` are here. */
  take(): Buffer | undefined {
    if (this.#length < this.#need || this.#length === 0) return undefined;
    const whole = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [];
    this.#length = 0;
    this.#need = 1;
    return whole;
  }
  /** Everything buffered, complete or not (empty when nothing is). */
  drain(): Buffer {
    const whole = Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [];
    this.#length = 0;
    this.#need = 1;
    return whole;
  }
  /** Puts back an unconsumed tail and remembers how long the buffer must grow before retrying. */
  keep(rest: Buffer, need: number): void {
    if (rest.length > 0) {
      this.#chunks.unshift(rest);
      this.#length += rest.length;
    }
    this.#need = need;
  }
}

/**
 * The Redis-aware part of a proxied connection. Each client command meets the proxy's fault plan
 * when it reaches the end of the upstream chain; replies are then released in command order:
 * delayed, replaced by an injected error reply (the command is not sent), held forever (hang),
 * cut halfway (disconnect) or preceded by a connection reset. SUBSCRIBE/MONITOR, or bytes that
 * are not RESP, switch the connection to plain forwarding from that point.
 */
export class RespFaultSession {
  readonly #slots: Slot[] = [];
  readonly #awaiting: Extract<Slot, { kind: 'server' }>[] = [];
  readonly #commands = new ByteQueue();
  readonly #replies = new ByteQueue();
  #rawUp = false;
  #rawDown = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** Receives client bytes at the end of the upstream chain. */
  readonly upstreamSink: Receiver = { push: (item) => this.#onCommandBytes(item) };
  /** Receives server bytes before the downstream chain. */
  readonly downstreamSource: Receiver = { push: (item) => this.#onReplyBytes(item) };

  constructor(
    private readonly plan: FaultPlan,
    /** Writes to the server. */
    private readonly toServer: Receiver,
    /** The head of the downstream chain (towards the client). */
    private readonly toClient: () => Receiver,
    private readonly closeConnection: (mode: 'close' | 'reset') => void,
    /** How far RESP is followed (bulk length, nesting) before the connection falls back to plain forwarding. */
    private readonly limits: Required<RespLimits> = DEFAULT_RESP_LIMITS,
  ) {}

  dispose(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#slots.length = 0;
    this.#awaiting.length = 0;
  }

  #onCommandBytes(item: Item): void {
    if (this.#closed) return;
    if (item === END || this.#rawUp) {
      this.toServer.push(item);
      return;
    }
    this.#commands.push(item);
    const buf = this.#commands.take();
    if (buf === undefined) return;
    let offset = 0;
    let forwardFrom = 0; // a run of commands that pass untouched is forwarded as one slice
    const now = performance.now();
    const flushRun = (to: number): void => {
      if (to > forwardFrom) this.toServer.push(buf.subarray(forwardFrom, to));
    };
    try {
      while (offset < buf.length) {
        const scanned = scanCommand(buf, offset, this.limits);
        if (typeof scanned === 'number') {
          flushRun(offset);
          this.#commands.keep(buf.subarray(offset), -scanned - offset);
          return;
        }
        const start = offset;
        offset = scanned.end;
        const [nameBytes, ...args] = scanned.args;
        if (nameBytes === undefined) continue; // blank inline line: Redis ignores it
        const name = nameBytes.toString('latin1').toLowerCase();
        const { delayMs, outcome } = this.plan.decide(name, args);
        const releaseAt = now + delayMs;
        if (outcome.type === 'error' || outcome.type === 'reset') {
          flushRun(start);
          forwardFrom = offset; // not sent to the server
          this.#slots.push(outcome.type === 'error' ? { kind: 'inject', releaseAt, bytes: Buffer.from(`-${outcome.reply}\r\n`) } : { kind: 'reset', releaseAt });
        } else {
          const slot = { kind: 'server' as const, releaseAt, hang: outcome.type === 'hang', cut: outcome.type === 'disconnect', reply: undefined };
          this.#slots.push(slot);
          this.#awaiting.push(slot);
        }
        if (STREAMING.has(name) || (name === 'client' && args[0]?.toString('latin1').toLowerCase() === 'reply')) {
          flushRun(offset);
          this.#toRaw(buf.subarray(offset));
          return;
        }
      }
      flushRun(offset);
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error;
      flushRun(offset);
      this.#toRaw(buf.subarray(offset));
      return;
    }
    this.#release();
  }

  /** From here on client bytes go straight to the server; replies do too once earlier ones are out. */
  #toRaw(rest: Buffer): void {
    this.#rawUp = true;
    this.#slots.push({ kind: 'raw' });
    if (rest.length > 0) this.toServer.push(rest);
    this.#release();
  }

  #onReplyBytes(item: Item): void {
    if (this.#closed) return;
    if (item === END && !this.#rawDown && this.#slots.length > 0) {
      // The server is gone: replies it never sent (or that hang) will not come. Those still held
      // go out in order, then the FIN.
      const deliverable = this.#slots.filter((slot) => !(slot.kind === 'server' && (slot.reply === undefined || slot.hang)));
      this.#slots.splice(0, this.#slots.length, ...deliverable, { kind: 'end' });
      this.#awaiting.length = 0;
      this.#release();
      return;
    }
    if (item === END || this.#rawDown) {
      this.toClient().push(item);
      return;
    }
    this.#replies.push(item);
    const buf = this.#replies.take();
    if (buf === undefined) return;
    let offset = 0;
    try {
      while (offset < buf.length) {
        if (this.#awaiting.length === 0) break; // unsolicited (after SUBSCRIBE, or a server error before closing)
        const end = scanReply(buf, offset, this.limits);
        if (end < 0) {
          this.#replies.keep(buf.subarray(offset), -end - offset);
          this.#release();
          return;
        }
        if (buf[offset] === 0x3e) {
          this.toClient().push(buf.subarray(offset, end)); // RESP3 push: answers no command
        } else {
          const slot = this.#awaiting.shift() as Extract<Slot, { kind: 'server' }>;
          slot.reply = buf.subarray(offset, end);
        }
        offset = end;
      }
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error;
      this.#repliesNotResp(buf.subarray(offset));
      return;
    }
    this.#release();
    if (offset < buf.length) {
      // Replies we cannot pair with a command: pass them on in order once nothing is held.
      const rest = buf.subarray(offset);
      if (this.#slots.length === 0 || this.#rawDown) this.toClient().push(rest);
      else this.#slots.push({ kind: 'inject', releaseAt: 0, bytes: rest });
      this.#release();
    }
  }

  /**
   * Server bytes that are not RESP, or beyond the limits (a bulk string over `maxBulkLength`,
   * nesting deeper than `maxDepth`): from the reply they start on, both directions are forwarded
   * as they are. Replies already held still go first; injected replies of later commands follow.
   */
  #repliesNotResp(rest: Buffer): void {
    this.#rawUp = true;
    const pendingCommands = this.#commands.drain();
    if (pendingCommands.length > 0) this.toServer.push(pendingCommands);
    const first = this.#awaiting[0];
    this.#awaiting.length = 0;
    const at = first === undefined ? this.#slots.length : this.#slots.indexOf(first);
    // Server replies from here on come in the raw stream; only injected ones keep a slot.
    const later = this.#slots.splice(at).filter((slot) => slot.kind !== 'server');
    this.#slots.push({ kind: 'raw' }, ...later);
    this.#replies.keep(rest, 1);
    this.#release();
  }

  /** Sends every reply whose turn has come, in command order. */
  #release(): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const out: Buffer[] = [];
    const now = performance.now() + 0.5;
    const emit = (): void => {
      if (out.length === 1) this.toClient().push(out[0] as Buffer);
      else if (out.length > 1) this.toClient().push(Buffer.concat(out));
      out.length = 0;
    };
    while (this.#slots.length > 0) {
      const head = this.#slots[0] as Slot;
      if (head.kind === 'end') {
        this.#slots.shift();
        emit();
        this.toClient().push(END);
        continue;
      }
      if (head.kind === 'raw') {
        this.#slots.shift();
        this.#rawDown = true;
        emit();
        const rest = this.#replies.take();
        if (rest !== undefined) this.toClient().push(rest);
        continue;
      }
      if (head.releaseAt > now) {
        if (head.kind !== 'server' || (head.reply !== undefined && !head.hang)) {
          this.#timer = setTimeout(() => this.#release(), head.releaseAt - performance.now());
        }
        break;
      }
      if (head.kind === 'inject') {
        out.push(head.bytes);
        this.#slots.shift();
        continue;
      }
      if (head.kind === 'reset') {
        emit();
        this.closeConnection('reset');
        return;
      }
      if (head.reply === undefined || head.hang) break;
      if (head.cut) {
        out.push(head.reply.subarray(0, Math.max(1, Math.floor(head.reply.length / 2))));
        emit();
        this.closeConnection('close');
        return;
      }
      out.push(head.reply);
      this.#slots.shift();
    }
    emit();
  }
}
