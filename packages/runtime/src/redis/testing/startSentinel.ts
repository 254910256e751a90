/**
 * A one-sentinel Redis Sentinel for tests: spawns `redis-server <conf> --sentinel` on a free
 * loopback port, monitoring `master` with quorum 1 and short timeouts, so a killed master fails
 * over to its replica within a couple of seconds. Test-only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pingOnce, requireRedisServerBinary } from '@asyncguard/testkit';

export interface TestSentinel {
  readonly host: string;
  readonly port: number;
  readonly masterName: string;
  stop(): Promise<void>;
}

export async function startSentinel(master: { host: string; port: number }, masterName = 'mymaster'): Promise<TestSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'asyncguard-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${masterName} ${master.host} ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 500`,
      `sentinel failover-timeout ${masterName} 2000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(requireRedisServerBinary(), [conf, '--sentinel'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await pingOnce('127.0.0.1', port, 250))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`sentinel did not answer PING on 127.0.0.1:${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { host: '127.0.0.1', port, masterName, stop };
}
