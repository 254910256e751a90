import { createConnection } from 'node:net';
import { scanReply } from './proxy/respScan.js';

/**
 * Sends one command on a fresh connection and resolves with the reply's text: the value of a
 * simple or bulk string, an integer as text, or the message of an error reply (rejected).
 * Meant for launchers and health checks, not for application traffic.
 */
export function sendRedisCommand(host: string, port: number, args: readonly string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, value?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(value ?? '');
    };
    const timer = setTimeout(() => finish(new Error(`no reply to ${args[0] ?? ''} from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      let end: number;
      try {
        end = scanReply(buffer, 0);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (end < 0) return;
      const text = buffer.toString('utf8', 0, end);
      const type = text[0];
      if (type === '-') finish(new Error(text.slice(1, -2)));
      else if (type === '$') finish(undefined, text.slice(text.indexOf('\r\n') + 2, -2));
      else if (type === '+' || type === ':') finish(undefined, text.slice(1, -2));
      else finish(undefined, text);
    });
  });
}
