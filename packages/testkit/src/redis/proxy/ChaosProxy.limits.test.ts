import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultSpecError } from '../../faults/FaultSpecError.js';
import { ChaosProxy } from './ChaosProxy.js';
import { cleanUpProxies, startProxy, until } from '../../../tests/support/proxyTestSupport.js';

/** A stand-in server that answers the n-th PING it reads with `replies[n]`. */
async function scriptedServer(replies: readonly Buffer[]): Promise<{ server: Server; port: number }> {
  let n = 0;
  const server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      const commands = chunk.toString('latin1').match(/PING/g)?.length ?? 0;
      for (let i = 0; i < commands; i++) {
        const reply = replies[n++];
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** A raw client socket that collects what it receives. */
async function rawClient(port: number): Promise<{ socket: Socket; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { socket, received: () => Buffer.concat(chunks) };
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('ChaosProxy RESP limits', () => {
  cleanUpProxies();
  const PING = '*1\r\n$4\r\nPING\r\n';

  it('forwards a reply nested deeper than the limit as it is, and every byte after it', async () => {
    const deep = Buffer.from(`${'*1\r\n'.repeat(20_000)}:1\r\n`);
    const { server, port } = await scriptedServer([Buffer.from('+first\r\n'), deep, Buffer.from('+OK\r\n')]);
    servers.push(server);
    const proxy = await startProxy({ upstream: { port }, protocol: 'resp' });
    proxy.faults.on('ping', { nth: 1 }).delay(20);
    const client = await rawClient(proxy.port);
    sockets.push(client.socket);
    client.socket.write(PING);
    client.socket.write(PING);
    await until(() => client.received().length >= 8 + deep.length);
    client.socket.write(PING);
    await until(() => client.received().length >= 8 + deep.length + 5);
    expect(client.received().equals(Buffer.concat([Buffer.from('+first\r\n'), deep, Buffer.from('+OK\r\n')]))).toBe(true);
  });

  it('passes a bulk header over the limit on at once instead of waiting for its bytes', async () => {
    const huge = Buffer.from('$9999999999\r\nabc');
    const { server, port } = await scriptedServer([huge]);
    servers.push(server);
    const proxy = await startProxy({ upstream: { port }, protocol: 'resp', respLimits: { maxBulkLength: 1000 } });
    const client = await rawClient(proxy.port);
    sockets.push(client.socket);
    client.socket.write(PING);
    await until(() => client.received().length >= huge.length);
    expect(client.received().toString('latin1')).toBe(huge.toString('latin1'));
  });

  it('rejects unknown option keys with a FaultSpecError naming them', () => {
    expect(() => new ChaosProxy({ upstream: { port: 1 }, toxic: [] } as never)).toThrow(FaultSpecError);
    expect(() => new ChaosProxy({ upstream: { port: 1 }, toxic: [] } as never)).toThrow(/toxic must be absent \(unknown option "toxic"/);
    expect(() => new ChaosProxy({ upstream: { port: 1, hots: 'x' } } as never)).toThrow(/upstream\.hots must be absent/);
    expect(() => new ChaosProxy({ upstream: { port: 1 }, listen: { prot: 1 } } as never)).toThrow(/listen\.prot must be absent/);
    expect(() => new ChaosProxy({ upstream: { port: 1 }, faults: { rule: [] } } as never)).toThrow(/faults\.rule must be absent/);
    expect(() => new ChaosProxy({ upstream: { port: 1 }, respLimits: { maxDepth: -1 } })).toThrow(/respLimits\.maxDepth must be a positive integer/);
  });
});
