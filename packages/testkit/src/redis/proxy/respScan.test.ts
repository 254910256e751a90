import { describe, expect, it } from 'vitest';
import { RespProtocolError, scanCommand, scanReply } from './respScan.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('scanReply', () => {
  it('finds the end of each RESP2/RESP3 reply type', () => {
    for (const reply of ['+OK\r\n', '-ERR x\r\n', ':12\r\n', '$3\r\nfoo\r\n', '$-1\r\n', '*2\r\n$1\r\na\r\n:1\r\n', '*-1\r\n', '_\r\n', '%1\r\n+k\r\n*1\r\n#t\r\n', '|1\r\n+a\r\n+b\r\n:1\r\n', '=7\r\ntxt:abc\r\n']) {
      expect(scanReply(b(`${reply}+NEXT\r\n`), 0)).toBe(reply.length);
    }
  });

  it('says how many bytes an incomplete reply needs', () => {
    expect(scanReply(b('$10\r\nabc'), 0)).toBe(-17);
    expect(scanReply(b('*2\r\n$1\r\na\r\n'), 0)).toBeLessThan(0);
    expect(scanReply(b('+OK'), 0)).toBeLessThan(0);
  });

  it('throws on bytes that are not RESP', () => {
    expect(() => scanReply(b('hello\r\n'), 0)).toThrow(RespProtocolError);
    expect(() => scanReply(b('$x\r\n'), 0)).toThrow(RespProtocolError);
    expect(() => scanReply(b('$1\r\nabc\r\n'), 0)).toThrow(RespProtocolError);
  });
});

describe('scanCommand', () => {
  it('reads RESP arrays and inline commands', () => {
    const cmd = scanCommand(b('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n*1'), 0);
    expect(typeof cmd).toBe('object');
    if (typeof cmd === 'number') return;
    expect(cmd.args.map(String)).toEqual(['SET', 'k', 'v1']);
    expect(cmd.end).toBe(28);
    const inline = scanCommand(b('PING hello\r\nGET'), 0);
    expect(inline).toEqual({ end: 12, args: [b('PING'), b('hello')] });
    expect(scanCommand(b('*2\r\n$3\r\nGET\r\n$5\r\nab'), 0)).toBe(-24);
    expect(() => scanCommand(b('*1\r\n:1\r\n'), 0)).toThrow(RespProtocolError);
  });
});
