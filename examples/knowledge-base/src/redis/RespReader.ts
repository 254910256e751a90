/**
 * Incremental reader of client → server RESP: arrays of bulk strings, and the inline form
 * (`PING\r\n`) that tools such as redis-cli and health probes send. Feed it chunks; it yields
 * each complete command as an array of strings and keeps any partial tail for the next chunk.
 */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

const CRLF = Buffer.from('\r\n');
const MAX_ARGS = 1024 * 1024;
const MAX_BULK = 512 * 1024 * 1024;

export class RespReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** Appends `chunk` and returns every command now complete. Throws on malformed input. */
  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const commands: string[][] = [];
    for (;;) {
      const parsed = this.next();
      if (parsed === undefined) break;
      this.buffer = this.buffer.subarray(parsed.end);
      if (parsed.args.length > 0) commands.push(parsed.args);
    }
    return commands;
  }

  private next(): { args: string[]; end: number } | undefined {
    const buf = this.buffer;
    if (buf.length === 0) return undefined;
    if (buf[0] !== 0x2a /* '*' */) {
      const eol = buf.indexOf(0x0a);
      if (eol === -1) return undefined;
      const line = buf.subarray(0, eol).toString('utf8').replace(/\r$/, '').trim();
      return { args: line === '' ? [] : line.split(/\s+/), end: eol + 1 };
    }
    const headerEnd = buf.indexOf(CRLF);
    if (headerEnd === -1) return undefined;
    const count = Number(buf.subarray(1, headerEnd).toString('latin1'));
    if (!Number.isInteger(count) || count < 0 || count > MAX_ARGS) throw new RespProtocolError(`invalid multibulk length`);
    let offset = headerEnd + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      if (offset >= buf.length) return undefined;
      if (buf[offset] !== 0x24 /* '$' */) throw new RespProtocolError(`expected '$', got '${String.fromCharCode(buf[offset] ?? 0)}'`);
      const lenEnd = buf.indexOf(CRLF, offset);
      if (lenEnd === -1) return undefined;
      const length = Number(buf.subarray(offset + 1, lenEnd).toString('latin1'));
      if (!Number.isInteger(length) || length < 0 || length > MAX_BULK) throw new RespProtocolError('invalid bulk length');
      const start = lenEnd + 2;
      if (start + length + 2 > buf.length) return undefined;
      args.push(buf.subarray(start, start + length).toString('utf8'));
      offset = start + length + 2;
    }
    return { args, end: offset };
  }
}

/** RESP2 encoding of a reply. */
export function encodeReply(value: unknown): string {
  if (value === null || value === undefined) return '$-1\r\n';
  if (value instanceof Error) return `-${value.message.replace(/[\r\n]+/g, ' ')}\r\n`;
  if (typeof value === 'number') return Number.isInteger(value) ? `:${value}\r\n` : bulk(String(value));
  if (typeof value === 'string') return value === 'OK' || value === 'PONG' || value === 'QUEUED' ? `+${value}\r\n` : bulk(value);
  if (Buffer.isBuffer(value)) return bulk(value.toString('utf8'));
  if (Array.isArray(value)) return `*${value.length}\r\n${value.map(encodeReply).join('')}`;
  return bulk(String(value));
}

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}
