import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESP_LIMITS, RespProtocolError, resolveRespLimits, scanCommand, scanReply } from '../src/redis/proxy/respScan.js';
import { FaultSpecError } from '../src/faults/FaultSpecError.js';
import { fcOptions } from './support/fcOptions.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const bulk = (data: Buffer): Buffer => Buffer.concat([b(`$${data.length}\r\n`), data, b('\r\n')]);

/** A RESP2/RESP3 reply as bytes, nested up to a few levels. */
const reply: fc.Arbitrary<Buffer> = fc.letrec<{ reply: Buffer }>((tie) => ({
  reply: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.stringMatching(/^[a-zA-Z0-9 ]{0,12}$/).map((s) => b(`+${s}\r\n`)),
    fc.stringMatching(/^[A-Z]{1,5} [a-z ]{0,10}$/).map((s) => b(`-${s}\r\n`)),
    fc.integer().map((n) => b(`:${n}\r\n`)),
    fc.constantFrom(b('_\r\n'), b('#t\r\n'), b('#f\r\n'), b(',1.5\r\n'), b('(123456789012345678901234567890\r\n'), b('$-1\r\n'), b('*-1\r\n')),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => bulk(Buffer.from(bytes))),
    fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.concat([b(`=${bytes.length + 4}\r\ntxt:`), Buffer.from(bytes), b('\r\n')])),
    fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.concat([b(`!${bytes.length}\r\n`), Buffer.from(bytes), b('\r\n')])),
    fc.tuple(fc.constantFrom('*', '~', '>'), fc.array(tie('reply'), { maxLength: 4 })).map(([type, items]) => Buffer.concat([b(`${type}${items.length}\r\n`), ...items])),
    fc.array(fc.tuple(tie('reply'), tie('reply')), { maxLength: 3 }).map((pairs) => Buffer.concat([b(`%${pairs.length}\r\n`), ...pairs.flat()])),
    fc.tuple(fc.array(fc.tuple(tie('reply'), tie('reply')), { maxLength: 2 }), tie('reply')).map(([pairs, annotated]) => Buffer.concat([b(`|${pairs.length}\r\n`), ...pairs.flat(), annotated])),
  ),
})).reply;

/** A client command: an array of bulk strings. */
const command = fc.array(fc.uint8Array({ maxLength: 30 }).map((u) => Buffer.from(u)), { minLength: 1, maxLength: 6 });
const encodeCommand = (args: Buffer[]): Buffer => Buffer.concat([b(`*${args.length}\r\n`), ...args.map(bulk)]);

/** A scan result: a complete frame's end, a "need more bytes", or a RespProtocolError; nothing else. */
function scanOutcome(scan: () => number | { end: number }, length: number): 'complete' | 'need' | 'error' {
  try {
    const result = scan();
    const end = typeof result === 'number' ? result : result.end;
    if (end < 0) {
      expect(-end).toBeGreaterThan(length); // more bytes than there are
      return 'need';
    }
    expect(end).toBeLessThanOrEqual(length);
    return 'complete';
  } catch (error) {
    expect(error).toBeInstanceOf(RespProtocolError);
    return 'error';
  }
}

/** One change to a frame: a byte replaced, inserted or removed, or the frame cut short. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x0d, 0x0a, 0x2a, 0x24, 0x2d, 0x30, 0x39, 0x7c, 0x25, 0x00, 0xff) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(0x0d, 0x0a, 0x2a, 0x24, 0x31, 0x2d) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function mutate(frame: Buffer, changes: readonly { kind: string; at: number; byte?: number }[]): Buffer {
  let bytes = [...frame];
  for (const change of changes) {
    const at = bytes.length === 0 ? 0 : change.at % (bytes.length + 1);
    if (change.kind === 'set' && at < bytes.length) bytes[at] = change.byte as number;
    else if (change.kind === 'insert') bytes.splice(at, 0, change.byte as number);
    else if (change.kind === 'remove') bytes.splice(at, 1);
    else if (change.kind === 'cut') bytes = bytes.slice(0, at);
  }
  return Buffer.from(bytes);
}

/**
 * The RESP scanner fuzzed: generated valid frames round-trip (and every proper prefix says it needs
 * more bytes); mutated and truncated frames end only in a complete frame, a "need more bytes" or a
 * RespProtocolError; the limits (nesting, bulk length) fail at once with RespProtocolError.
 *
 * Reproduce a failure with ASYNCGUARD_FC_SEED=<seed>; more cases with ASYNCGUARD_FC_RUNS=<n>.
 */
describe('RESP scanner (fuzz)', () => {
  it('finds the end of every generated reply, and asks for more bytes on each of its prefixes', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(reply, (frame) => {
        expect(scanReply(Buffer.concat([frame, b('+NEXT\r\n')]), 0)).toBe(frame.length);
        const wrong: number[] = []; // prefixes whose answer is not a need for more bytes, up to the whole frame
        for (let cut = 0; cut < frame.length; cut++) {
          const need = -scanReply(frame.subarray(0, cut), 0);
          if (!(need > cut && need <= frame.length)) wrong.push(cut);
        }
        expect(wrong).toEqual([]);
      }),
      fcOptions(300),
    );
  });

  it('reads back every generated command, also when it starts mid-buffer', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(command, fc.uint8Array({ maxLength: 8 }), (args, junk) => {
        const frame = encodeCommand(args);
        const scanned = scanCommand(Buffer.concat([Buffer.from(junk), frame, b('*1\r\n')]), junk.length);
        expect(scanned).toEqual({ end: junk.length + frame.length, args });
        const wrong: number[] = [];
        for (let cut = 0; cut < frame.length; cut++) {
          const need = scanCommand(frame.subarray(0, cut), 0);
          if (!(typeof need === 'number' && -need > cut && -need <= frame.length)) wrong.push(cut);
        }
        expect(wrong).toEqual([]);
      }),
      fcOptions(300),
    );
  });

  it('ends a mutated or truncated frame only in a frame, a need for more bytes, or a RespProtocolError', { timeout: 120_000 }, () => {
    const outcomes = { complete: 0, need: 0, error: 0 };
    fc.assert(
      fc.property(fc.oneof(reply, command.map(encodeCommand)), fc.array(mutation, { minLength: 1, maxLength: 4 }), (frame, changes) => {
        const bytes = mutate(frame, changes);
        outcomes[scanOutcome(() => scanReply(bytes, 0), bytes.length)]++;
        scanOutcome(() => scanCommand(bytes, 0), bytes.length);
      }),
      fcOptions(500),
    );
    // The mutations reach every outcome, so none of the three paths goes untested.
    expect(outcomes.complete).toBeGreaterThan(0);
    expect(outcomes.need).toBeGreaterThan(0);
    expect(outcomes.error).toBeGreaterThan(0);
  });

  it('fails 20,000 nested arrays with RespProtocolError at the nesting limit, and follows them without recursion when allowed', () => {
    const deep = b(`${'*1\r\n'.repeat(20_000)}:1\r\n`);
    expect(() => scanReply(deep, 0)).toThrow(RespProtocolError);
    expect(() => scanReply(deep, 0)).toThrow(/nested deeper than 1024/);
    expect(scanReply(deep, 0, resolveRespLimits({ maxDepth: 20_000 }))).toBe(deep.length);
    expect(scanReply(deep.subarray(0, deep.length - 2), 0, resolveRespLimits({ maxDepth: 20_000 }))).toBeLessThan(0);
    const atLimit = b(`${'*1\r\n'.repeat(1024)}:1\r\n`);
    expect(scanReply(atLimit, 0)).toBe(atLimit.length);
    expect(() => scanReply(b(`${'*1\r\n'.repeat(1025)}:1\r\n`), 0)).toThrow(RespProtocolError);
    expect(() => scanCommand(deep, 0)).toThrow(RespProtocolError); // a command cannot nest at all
  });

  it('fails a bulk length over the limit at its header instead of waiting for the bytes', () => {
    expect(() => scanReply(b('$9999999999\r\n'), 0)).toThrow(RespProtocolError);
    expect(() => scanReply(b('*2\r\n:1\r\n$9999999999\r\n'), 0)).toThrow(/over the limit of 536870912 bytes/);
    expect(() => scanCommand(b('*2\r\n$3\r\nSET\r\n$9999999999\r\n'), 0)).toThrow(RespProtocolError);
    expect(scanReply(b(`$${DEFAULT_RESP_LIMITS.maxBulkLength}\r\n`), 0)).toBeLessThan(0); // at the limit: waits
    expect(() => scanReply(b('$11\r\n'), 0, resolveRespLimits({ maxBulkLength: 10 }))).toThrow(RespProtocolError);
    expect(() => scanReply(b(`$${'9'.repeat(70_000)}`), 0)).toThrow(RespProtocolError); // a header line never ended
  });

  it('rejects bad limits with a FaultSpecError naming the field', () => {
    expect(() => resolveRespLimits({ maxDepth: 0 })).toThrow(/respLimits\.maxDepth must be a positive integer, got 0/);
    expect(() => resolveRespLimits({ maxBulk: 1 })).toThrow(FaultSpecError);
    expect(() => resolveRespLimits({ maxBulk: 1 })).toThrow(/respLimits\.maxBulk must be absent/);
    expect(resolveRespLimits(undefined)).toEqual({ maxBulkLength: 536870912, maxDepth: 1024 });
  });
});
