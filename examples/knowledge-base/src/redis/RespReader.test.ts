import { describe, expect, it } from 'vitest';
import { encodeReply, RespProtocolError, RespReader } from './RespReader.js';

const resp = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

describe('RespReader', () => {
  it('reads pipelined commands, and commands split across chunks at any byte', () => {
    const wire = Buffer.from(resp('HSET', 'kb:fact:1', 'text', 'héllo\r\nworld') + resp('PING'));
    for (let cut = 1; cut < wire.length; cut++) {
      const reader = new RespReader();
      const got = [...reader.push(wire.subarray(0, cut)), ...reader.push(wire.subarray(cut))];
      expect(got).toEqual([['HSET', 'kb:fact:1', 'text', 'héllo\r\nworld'], ['PING']]);
    }
  });

  it('reads inline commands', () => {
    const reader = new RespReader();
    expect(reader.push(Buffer.from('PING\r\nECHO  hi\n'))).toEqual([['PING'], ['ECHO', 'hi']]);
  });

  it('rejects malformed input', () => {
    expect(() => new RespReader().push(Buffer.from('*1\r\n:5\r\n'))).toThrow(RespProtocolError);
    expect(() => new RespReader().push(Buffer.from('*x\r\n'))).toThrow(/multibulk/);
  });
});

describe('encodeReply', () => {
  it('encodes RESP2 replies', () => {
    expect(encodeReply('OK')).toBe('+OK\r\n');
    expect(encodeReply('héllo')).toBe('$6\r\nhéllo\r\n');
    expect(encodeReply(3)).toBe(':3\r\n');
    expect(encodeReply(null)).toBe('$-1\r\n');
    expect(encodeReply(['0', ['a', 'b']])).toBe('*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(encodeReply(new Error('ERR bad\r\nthing'))).toBe('-ERR bad thing\r\n');
  });
});
