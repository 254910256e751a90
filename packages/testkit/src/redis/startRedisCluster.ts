import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSpecError } from '../faults/FaultSpecError.js';
import { redisKeySlot } from '../faults/redisKeySlot.js';
import { findRedisServerBinary, requireRedisServerBinary, RedisServerNotFoundError, which } from './findRedisServer.js';
import { sendRedisCommand } from './sendRedisCommand.js';
import { freePort, startRedisServer, type RedisServer } from './startRedisServer.js';

export interface RedisClusterOptions {
  /** Number of masters (redis-cli needs at least 3). Default 3. */
  masters?: number;
  /** Replicas per master. Default 0. */
  replicasPerMaster?: number;
  /** redis-server binary. Default `REDIS_SERVER_BIN`, else PATH. */
  binary?: string;
  /** redis-cli binary. Default `REDIS_CLI_BIN`, else beside redis-server, else PATH. */
  cliBinary?: string;
  /** `cluster-node-timeout` in ms: how fast a dead node is noticed and failed over. Default 2000. */
  nodeTimeoutMs?: number;
  /** How long to wait for `cluster_state:ok` on every node. Default 30000 ms. */
  startTimeoutMs?: number;
}

/** One node of a local cluster: a real redis-server you can kill, pause and restart. */
export interface RedisClusterNode extends RedisServer {
  /** Cluster node id (CLUSTER MYID). */
  readonly id: string;
  /** Role when the cluster came up (failovers may change it: ask `currentRole()`). */
  readonly role: 'master' | 'replica';
  /** For a replica: the id of the master it replicated when the cluster came up. */
  readonly masterId: string | undefined;
  /** Hash-slot ranges served when the cluster came up (masters only), inclusive. */
  readonly slots: readonly (readonly [number, number])[];
  /** The role the node reports now (`master`/`replica`), or undefined when it does not answer. */
  currentRole(): Promise<'master' | 'replica' | undefined>;
}

/** A running Redis Cluster; `await using cluster = await startRedisCluster()` stops it at the end of the block. */
export interface RedisCluster extends AsyncDisposable {
  readonly nodes: readonly RedisClusterNode[];
  readonly masters: readonly RedisClusterNode[];
  readonly replicas: readonly RedisClusterNode[];
  /** Addresses for `new Cluster(startupNodes)` in ioredis. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** The master that served `key`'s slot when the cluster came up. */
  masterForKey(key: string): RedisClusterNode;
  /** Resolves once every running node reports `cluster_state:<state>` (after a kill, `fail` or a failover back to `ok`). */
  waitForState(state: 'ok' | 'fail', timeoutMs?: number): Promise<void>;
  /**
   * After killing or pausing `master`: resolves once one of its replicas reports itself master
   * and every running node reports `cluster_state:ok`; returns the promoted node.
   */
  waitForFailover(master: RedisClusterNode, timeoutMs?: number): Promise<RedisClusterNode>;
  /** Stops every node and removes their directories. Safe to call twice. */
  stop(): Promise<void>;
}

/** Thrown when the cluster cannot be formed; carries redis-cli's output. */
export class RedisClusterStartError extends Error {
  override readonly name = 'RedisClusterStartError';
}

function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 64) {
    throw new FaultSpecError(`startRedisCluster: ${path}`, `an integer from ${min} to 64`, value);
  }
  return value;
}

function findCli(serverBinary: string, options: RedisClusterOptions): string {
  if (options.cliBinary !== undefined) return options.cliBinary;
  const fromEnv = process.env.REDIS_CLI_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const beside = join(dirname(serverBinary), 'redis-cli');
  if (which('redis-cli', { PATH: dirname(serverBinary) }) !== undefined) return beside;
  const onPath = which('redis-cli');
  if (onPath === undefined) throw new RedisServerNotFoundError('redis-cli', 'redis-cli is needed to form a cluster: not beside redis-server, not on PATH and REDIS_CLI_BIN is not set');
  return onPath;
}

function run(binary: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function parseSlots(fields: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const field of fields) {
    if (field.startsWith('[')) continue; // slot being migrated
    const [from, to] = field.split('-');
    ranges.push([Number(from), Number(to ?? from)]);
  }
  return ranges;
}

/**
 * Starts a real local Redis Cluster: `masters × (1 + replicasPerMaster)` redis-server processes
 * on ephemeral loopback ports (each with its own bus port and temp dir), joined with
 * `redis-cli --cluster create`, resolved once every node reports `cluster_state:ok`. Each node
 * is a full {@link RedisServer} handle, so a test can kill, pause or restart one of them.
 * Replicas are synced before it resolves and always allowed to fail over
 * (`cluster-replica-validity-factor 0`), so killing a master promotes its replica.
 * If anything fails midway every node already started is stopped.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = integer(options.masters ?? 3, 'masters', 3);
  const replicasPerMaster = integer(options.replicasPerMaster ?? 0, 'replicasPerMaster', 0);
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) throw new FaultSpecError('startRedisCluster: nodeTimeoutMs', 'an integer >= 100', nodeTimeoutMs);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const binary = options.binary ?? findRedisServerBinary() ?? requireRedisServerBinary();
  const cli = findCli(binary, options);

  const servers: RedisServer[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const count = masters * (1 + replicasPerMaster);
    for (let i = 0; i < count; i++) {
      const busPort = await freePort();
      servers.push(
        await startRedisServer({
          binary,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs), '--cluster-port', String(busPort), '--cluster-replica-validity-factor', '0', '--repl-diskless-sync-delay', '0'],
        }),
      );
    }
    const addresses = servers.map((s) => `${s.host}:${s.port}`);
    const created = await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], startTimeoutMs);
    if (created.code !== 0) throw new RedisClusterStartError(`redis-cli --cluster create failed (exit ${String(created.code)}):\n${created.output}`);

    const cluster = buildCluster(servers, stopAll);
    const deadline = Date.now() + startTimeoutMs;
    await cluster.waitForState('ok', startTimeoutMs, count);
    const described = await describeNodes(cluster, servers, stopAll);
    // A replica that never synced cannot take over; wait until every replication link is up.
    for (const replica of described.replicas) {
      for (;;) {
        const info = await sendRedisCommand(replica.host, replica.port, ['INFO', 'replication'], 500).catch(() => '');
        if (info.includes('master_link_status:up')) break;
        if (Date.now() > deadline) throw new RedisClusterStartError(`replica ${replica.host}:${replica.port} did not sync with its master within ${startTimeoutMs} ms`);
        await sleep(50);
      }
    }
    return described;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface Draft {
  waitForState(state: 'ok' | 'fail', timeoutMs?: number, knownNodes?: number): Promise<void>;
}

function buildCluster(servers: readonly RedisServer[], _stop: () => Promise<void>): Draft {
  return {
    async waitForState(state, timeoutMs = 30_000, knownNodes) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const running = servers.filter((s) => s.running);
        const infos = await Promise.all(running.map((s) => sendRedisCommand(s.host, s.port, ['CLUSTER', 'INFO'], 500).catch(() => '')));
        const good = infos.every(
          (info) =>
            info.includes(`cluster_state:${state}`) &&
            (state === 'fail' || info.includes('cluster_slots_assigned:16384')) &&
            (knownNodes === undefined || info.includes(`cluster_known_nodes:${knownNodes}`)),
        );
        if (running.length > 0 && good) return;
        last = infos.map((i) => /cluster_state:\w+/.exec(i)?.[0] ?? 'no answer').join(', ');
        await sleep(50);
      }
      throw new RedisClusterStartError(`cluster did not reach cluster_state:${state} within ${timeoutMs} ms (nodes: ${last})`);
    },
  };
}

async function describeNodes(draft: Draft, servers: readonly RedisServer[], stop: () => Promise<void>): Promise<RedisCluster> {
  const first = servers[0] as RedisServer;
  const table = await sendRedisCommand(first.host, first.port, ['CLUSTER', 'NODES']);
  const byPort = new Map<number, { id: string; role: 'master' | 'replica'; masterId: string | undefined; slots: [number, number][] }>();
  for (const line of table.split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const port = Number((fields[1] ?? '').split('@')[0]?.split(':').pop());
    const role = (fields[2] ?? '').includes('master') ? 'master' : 'replica';
    byPort.set(port, { id: fields[0] as string, role, masterId: role === 'replica' ? fields[3] : undefined, slots: parseSlots(fields.slice(8)) });
  }
  const nodes: RedisClusterNode[] = servers.map((server) => {
    const info = byPort.get(server.port);
    if (info === undefined) throw new RedisClusterStartError(`node ${server.host}:${server.port} is missing from CLUSTER NODES:\n${table}`);
    return Object.assign(Object.create(server) as RedisServer, {
      id: info.id,
      role: info.role,
      masterId: info.masterId,
      slots: info.slots,
      async currentRole() {
        try {
          const replication = await sendRedisCommand(server.host, server.port, ['INFO', 'replication'], 500);
          return replication.includes('role:master') ? ('master' as const) : ('replica' as const);
        } catch {
          return undefined;
        }
      },
    }) as RedisClusterNode;
  });
  const masters = nodes.filter((n) => n.role === 'master');
  let stopped = false;
  return {
    nodes,
    masters,
    replicas: nodes.filter((n) => n.role === 'replica'),
    startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    masterForKey(key) {
      const slot = redisKeySlot(key);
      const master = masters.find((m) => m.slots.some(([from, to]) => slot >= from && slot <= to));
      if (master === undefined) throw new Error(`no master served slot ${slot} when the cluster came up`);
      return master;
    },
    waitForState: (state, timeoutMs) => draft.waitForState(state, timeoutMs),
    async waitForFailover(master, timeoutMs = 30_000) {
      const candidates = nodes.filter((n) => n.masterId === master.id);
      if (candidates.length === 0) throw new Error(`node ${master.host}:${master.port} has no replica to fail over to`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const candidate of candidates) {
          if (candidate.running && (await candidate.currentRole()) === 'master') {
            await draft.waitForState('ok', Math.max(1, deadline - Date.now()));
            return candidate;
          }
        }
        if (Date.now() > deadline) throw new RedisClusterStartError(`no replica of ${master.host}:${master.port} was promoted within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stop();
    },
    async [Symbol.asyncDispose]() {
      if (stopped) return;
      stopped = true;
      await stop();
    },
  };
}
