/** Thrown when bytes are not RESP; the proxy then stops interpreting the connection. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

const CR = 0x0d;
const LF = 0x0a;

/** Offset just past the `\r\n` ending the line that starts at `from`, or -1 when not there yet. */
function lineEnd(buf: Buffer, from: number): number {
  const lf = buf.indexOf(LF, from);
  if (lf < 0) return -1;
  if (lf === from || buf[lf - 1] !== CR) throw new RespProtocolError('line not ended by CRLF');
  return lf + 1;
}

function parseInteger(buf: Buffer, from: number, to: number): number {
  const text = buf.toString('latin1', from, to);
  if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`bad length ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Finds the end of one complete RESP2/RESP3 reply starting at `start`. Returns the offset just
 * past it, or `-need` (the least total buffer length worth trying again with) when the reply is
 * incomplete. Throws {@link RespProtocolError} on bytes that are not RESP.
 */
export function scanReply(buf: Buffer, start: number): number {
  if (start >= buf.length) return -(start + 1);
  const type = buf[start];
  const end = lineEnd(buf, start + 1);
  if (end < 0) return -(buf.length + 1);
  switch (type) {
    case 0x2b: // + simple string
    case 0x2d: // - error
    case 0x3a: // : integer
    case 0x5f: // _ null
    case 0x23: // # boolean
    case 0x2c: // , double
    case 0x28: // ( big number
      return end;
    case 0x24: // $ bulk string
    case 0x21: // ! bulk error
    case 0x3d: {
      // = verbatim string
      const length = parseInteger(buf, start + 1, end - 2);
      if (length < 0) return end;
      const total = end + length + 2;
      if (buf.length < total) return -total;
      if (buf[total - 2] !== CR || buf[total - 1] !== LF) throw new RespProtocolError('bulk string not ended by CRLF');
      return total;
    }
    case 0x2a: // * array
    case 0x7e: // ~ set
    case 0x3e: // > push
    case 0x25: // % map
    case 0x7c: {
      // | attribute (followed by the reply it annotates)
      const count = parseInteger(buf, start + 1, end - 2);
      let offset = end;
      const items = count < 0 ? 0 : type === 0x25 || type === 0x7c ? count * 2 : count;
      for (let i = 0; i < items; i++) {
        const next = scanReply(buf, offset);
        if (next < 0) return next;
        offset = next;
      }
      return type === 0x7c ? scanReply(buf, offset) : offset;
    }
    default:
      throw new RespProtocolError(`unknown reply type byte 0x${(type ?? 0).toString(16)}`);
  }
}

/** A client command as read off the wire. */
export interface ScannedCommand {
  /** Offset just past the command. */
  end: number;
  /** Command name and arguments (empty for a blank inline line). */
  args: Buffer[];
}

/**
 * Reads one client command (a RESP array of bulk strings, or an inline command line) starting at
 * `start`. Returns it, or `-need` when incomplete; throws {@link RespProtocolError} otherwise.
 */
export function scanCommand(buf: Buffer, start: number): ScannedCommand | number {
  if (start >= buf.length) return -(start + 1);
  if (buf[start] !== 0x2a) {
    const lf = buf.indexOf(LF, start);
    if (lf < 0) {
      if (buf.length - start > 64 * 1024) throw new RespProtocolError('inline command too long');
      return -(buf.length + 1);
    }
    const line = buf.toString('latin1', start, buf[lf - 1] === CR ? lf - 1 : lf).trim();
    return { end: lf + 1, args: line === '' ? [] : line.split(/\s+/).map((word) => Buffer.from(word, 'latin1')) };
  }
  const end = lineEnd(buf, start + 1);
  if (end < 0) return -(buf.length + 1);
  const count = parseInteger(buf, start + 1, end - 2);
  if (count > 1024 * 1024) throw new RespProtocolError('too many arguments');
  const args: Buffer[] = [];
  let offset = end;
  for (let i = 0; i < count; i++) {
    if (offset >= buf.length) return -(offset + 1);
    if (buf[offset] !== 0x24) throw new RespProtocolError('command argument is not a bulk string');
    const headerEnd = lineEnd(buf, offset + 1);
    if (headerEnd < 0) return -(buf.length + 1);
    const length = parseInteger(buf, offset + 1, headerEnd - 2);
    if (length < 0) throw new RespProtocolError('negative argument length');
    const total = headerEnd + length + 2;
    if (buf.length < total) return -total;
    if (buf[total - 2] !== CR || buf[total - 1] !== LF) throw new RespProtocolError('argument not ended by CRLF');
    args.push(buf.subarray(headerEnd, headerEnd + length));
    offset = total;
  }
  return { end: offset, args };
}
