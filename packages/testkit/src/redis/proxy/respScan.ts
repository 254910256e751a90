import { FaultSpecError } from '../../faults/FaultSpecError.js';

/** Thrown when bytes are not RESP, or exceed a limit; the proxy then stops interpreting the connection. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

/** How far the proxy follows the RESP it reads before it gives up on the bytes as RESP. */
export interface RespLimits {
  /**
   * Longest bulk string, in bytes. Default 512 MB, redis-server's `proto-max-bulk-len`: a longer
   * one fails at its header instead of being waited for.
   */
  maxBulkLength?: number;
  /**
   * Deepest nesting of aggregate replies (arrays, maps, sets, pushes, attributes). Default 1024,
   * the limit of hiredis (Redis's C client, `REDIS_READER_MAX_REPLY_DEPTH`). Commands cannot nest
   * at all: redis-server takes only bulk strings inside a command's array.
   */
  maxDepth?: number;
}

export const DEFAULT_RESP_LIMITS: Readonly<Required<RespLimits>> = Object.freeze({ maxBulkLength: 512 * 1024 * 1024, maxDepth: 1024 });

/** Longest length header (`*`, `$`...) or integer line: redis-server's `PROTO_INLINE_MAX_SIZE` (64 KB). */
const MAX_HEADER_LINE = 64 * 1024;

/** Validates limits given by a caller (a {@link FaultSpecError} naming the field) and fills in the defaults. */
export function resolveRespLimits(input: unknown, path = 'respLimits'): Required<RespLimits> {
  if (input === undefined) return DEFAULT_RESP_LIMITS;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultSpecError(path, 'an object { maxBulkLength?, maxDepth? }', input);
  const limits = input as Record<string, unknown>;
  for (const field of Object.keys(limits)) {
    if (field !== 'maxBulkLength' && field !== 'maxDepth') throw new FaultSpecError(`${path}.${field}`, 'absent (known fields: maxBulkLength, maxDepth)', limits[field]);
  }
  const positive = (field: 'maxBulkLength' | 'maxDepth'): number => {
    const value = limits[field] ?? DEFAULT_RESP_LIMITS[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new FaultSpecError(`${path}.${field}`, 'a positive integer', value);
    return value;
  };
  return { maxBulkLength: positive('maxBulkLength'), maxDepth: positive('maxDepth') };
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Offset just past the `\r\n` ending the line that starts at `from`, or -1 when not there yet.
 * A line longer than `maxLine` without its end fails rather than being waited for.
 */
function lineEnd(buf: Buffer, from: number, maxLine: number): number {
  const lf = buf.indexOf(LF, from);
  if (lf < 0) {
    if (buf.length - from > maxLine) throw new RespProtocolError(`line longer than ${maxLine} bytes`);
    return -1;
  }
  if (lf === from || buf[lf - 1] !== CR) throw new RespProtocolError('line not ended by CRLF');
  return lf + 1;
}

function parseInteger(buf: Buffer, from: number, to: number): number {
  const text = buf.toString('latin1', from, to);
  if (!/^-?\d{1,18}$/.test(text)) throw new RespProtocolError(`bad length ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

function bulkLength(buf: Buffer, from: number, to: number, limits: Required<RespLimits>): number {
  const length = parseInteger(buf, from, to);
  if (length > limits.maxBulkLength) throw new RespProtocolError(`bulk length ${length} over the limit of ${limits.maxBulkLength} bytes`);
  return length;
}

/** An open aggregate: how many elements it still holds; an attribute is followed by the reply it annotates. */
interface Open {
  remaining: number;
  attribute: boolean;
}

/**
 * Finds the end of one complete RESP2/RESP3 reply starting at `start`. Returns the offset just
 * past it, or `-need` (the least total buffer length worth trying again with) when the reply is
 * incomplete. Throws {@link RespProtocolError} on bytes that are not RESP, on a bulk string longer
 * than `limits.maxBulkLength` and on nesting deeper than `limits.maxDepth`, and never anything
 * else: nesting is followed with a stack of counters, not recursion.
 */
export function scanReply(buf: Buffer, start: number, limits: Required<RespLimits> = DEFAULT_RESP_LIMITS): number {
  const open: Open[] = [];
  let offset = start;
  for (;;) {
    if (offset >= buf.length) return -(offset + 1);
    const type = buf[offset] as number;
    const simple = type === 0x2b || type === 0x2d; // + and - carry text of any length
    const end = lineEnd(buf, offset + 1, simple ? limits.maxBulkLength : MAX_HEADER_LINE);
    if (end < 0) return -(buf.length + 1);
    let complete: number; // offset past a finished element; -1 when an aggregate was opened
    switch (type) {
      case 0x2b: // + simple string
      case 0x2d: // - error
      case 0x3a: // : integer
      case 0x5f: // _ null
      case 0x23: // # boolean
      case 0x2c: // , double
      case 0x28: // ( big number
        complete = end;
        break;
      case 0x24: // $ bulk string
      case 0x21: // ! bulk error
      case 0x3d: {
        // = verbatim string
        const length = bulkLength(buf, offset + 1, end - 2, limits);
        if (length < 0) {
          complete = end; // null
          break;
        }
        const total = end + length + 2;
        if (buf.length < total) return -total;
        if (buf[total - 2] !== CR || buf[total - 1] !== LF) throw new RespProtocolError('bulk string not ended by CRLF');
        complete = total;
        break;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: // % map
      case 0x7c: {
        // | attribute (followed by the reply it annotates)
        const count = parseInteger(buf, offset + 1, end - 2);
        const items = count < 0 ? 0 : type === 0x25 || type === 0x7c ? count * 2 : count;
        const attribute = type === 0x7c;
        if (items === 0) {
          complete = attribute ? -1 : end;
          offset = end;
          break;
        }
        if (open.length >= limits.maxDepth) throw new RespProtocolError(`replies nested deeper than ${limits.maxDepth}`);
        open.push({ remaining: items, attribute });
        offset = end;
        complete = -1;
        break;
      }
      default:
        throw new RespProtocolError(`unknown reply type byte 0x${type.toString(16)}`);
    }
    if (complete < 0) continue;
    offset = complete;
    // An element is done: close every aggregate it completes.
    for (;;) {
      const top = open.at(-1);
      if (top === undefined) return offset;
      if (--top.remaining > 0) break;
      open.pop();
      if (top.attribute) break; // the annotated reply, still to come, is the parent's element
    }
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
 * `start`. Returns it, or `-need` when incomplete; throws {@link RespProtocolError} otherwise,
 * also for an argument longer than `limits.maxBulkLength` (redis-server's "invalid bulk length").
 */
export function scanCommand(buf: Buffer, start: number, limits: Required<RespLimits> = DEFAULT_RESP_LIMITS): ScannedCommand | number {
  if (start >= buf.length) return -(start + 1);
  if (buf[start] !== 0x2a) {
    const lf = buf.indexOf(LF, start);
    if (lf < 0) {
      if (buf.length - start > MAX_HEADER_LINE) throw new RespProtocolError('inline command too long');
      return -(buf.length + 1);
    }
    const line = buf.toString('latin1', start, buf[lf - 1] === CR ? lf - 1 : lf).trim();
    return { end: lf + 1, args: line === '' ? [] : line.split(/\s+/).map((word) => Buffer.from(word, 'latin1')) };
  }
  const end = lineEnd(buf, start + 1, MAX_HEADER_LINE);
  if (end < 0) return -(buf.length + 1);
  const count = parseInteger(buf, start + 1, end - 2);
  if (count > 1024 * 1024) throw new RespProtocolError('too many arguments');
  const args: Buffer[] = [];
  let offset = end;
  for (let i = 0; i < count; i++) {
    if (offset >= buf.length) return -(offset + 1);
    if (buf[offset] !== 0x24) throw new RespProtocolError('command argument is not a bulk string');
    const headerEnd = lineEnd(buf, offset + 1, MAX_HEADER_LINE);
    if (headerEnd < 0) return -(buf.length + 1);
    const length = bulkLength(buf, offset + 1, headerEnd - 2, limits);
    if (length < 0) throw new RespProtocolError('negative argument length');
    const total = headerEnd + length + 2;
    if (buf.length < total) return -total;
    if (buf[total - 2] !== CR || buf[total - 1] !== LF) throw new RespProtocolError('argument not ended by CRLF');
    args.push(buf.subarray(headerEnd, headerEnd + length));
    offset = total;
  }
  return { end: offset, args };
}
