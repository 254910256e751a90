import { createServer, type Socket } from 'node:net';
import RedisMock from 'ioredis-mock';
import { encodeReply, RespReader } from './RespReader.js';

export interface InMemoryRedis {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port` */
  readonly url: string;
  /** Closes every connection and the listener; the data is gone. Safe to call twice. */
  close(): Promise<void>;
}

/** Commands a client sends on connect that the in-memory engine has no use for. */
const ACKNOWLEDGED = new Set(['select', 'client', 'readonly', 'auth']);
/** Commands whose reply ioredis-mock turns into an object; the wire form is a flat array. */
const FLATTENED = new Set(['hgetall', 'config']);

/**
 * A Redis stand-in for machines without redis-server: a loopback TCP server that speaks RESP2
 * and keeps its data in memory (ioredis-mock is the engine). Because it is a real socket, the
 * service reaches it through the same `RedisManager` (and a chaos proxy can sit in front of
 * it). It runs each connection's commands in order, one at a time, like Redis does.
 */
export async function startInMemoryRedis(options: { host?: string; port?: number } = {}): Promise<InMemoryRedis> {
  const host = options.host ?? '127.0.0.1';
  const engine = new RedisMock({ host: 'in-memory', port: Math.floor(Math.random() * 1e9), lazyConnect: false });
  const sockets = new Set<Socket>();

  const run = async (args: string[]): Promise<unknown> => {
    const [name = '', ...rest] = args;
    const command = name.toLowerCase();
    if (command === 'quit') return 'OK';
    if (ACKNOWLEDGED.has(command)) return 'OK';
    if (command === 'command') return [];
    const method = engine[command];
    if (typeof method !== 'function') return new Error(`ERR unknown command '${name}'`);
    try {
      const reply: unknown = await (method as (...a: string[]) => Promise<unknown>).apply(engine, rest);
      if (FLATTENED.has(command) && reply !== null && typeof reply === 'object' && !Array.isArray(reply)) {
        return Object.entries(reply as Record<string, unknown>).flat();
      }
      return reply;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return new Error(/^[A-Z]+ /.test(message) ? message : `ERR ${message}`);
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new RespReader();
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      let commands: string[][];
      try {
        commands = reader.push(chunk);
      } catch (err) {
        socket.end(encodeReply(new Error(`ERR Protocol error: ${(err as Error).message}`)));
        return;
      }
      for (const args of commands) {
        queue = queue.then(async () => {
          const reply = await run(args);
          if (socket.destroyed) return;
          socket.write(encodeReply(reply));
          if (args[0]?.toLowerCase() === 'quit') socket.end();
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('in-memory Redis: could not read the listening port');
  const port = address.port;

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          engine.disconnect();
          resolve();
        });
      });
      return closing;
    },
  };
}
