import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSpecError } from '../faults/FaultSpecError.js';
import { redisKeySlot } from '../faults/redisKeySlot.js';
import { findRedisServerBinary, requireRedisServerBinary, RedisServerNotFoundError, which } from './findRedisServer.js';
import { sendRedisCommand } from './sendRedisCommand.js';
import { freePort, startRedisServer, type RedisServer } from './startRedisServer.js';
import { assertKnownOptions } from '../assertKnownOptions.js';

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

const CLUSTER_OPTIONS: readonly (keyof RedisClusterOptions)[] = ['masters', 'replicasPerMaster', 'binary', 'cliBinary', 'nodeTimeoutMs', 'startTimeoutMs'];

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
  /** The node serving `key`'s slot now, as the running nodes report it (after failovers too). */
  currentMasterForKey(key: string): Promise<RedisClusterNode>;
  /**
   * Replication is asynchronous: a write a master acknowledged may not be on its replicas yet,
   * and a replica promoted after a kill has lost it. Resolves once every replica connected to
   * `master` has processed everything the master had written when this was called (replica
   * offset ≥ the master's offset; the wire-level twin of `WAIT` for writes from any connection);
   * returns those replicas. Call it between a write and a kill.
   */
  waitForReplication(master: RedisClusterNode, timeoutMs?: number): Promise<RedisClusterNode[]>;
  /** Resolves once every running node reports `cluster_state:<state>` (after a kill, `fail` or a failover back to `ok`). */
  waitForState(state: 'ok' | 'fail', timeoutMs?: number): Promise<void>;
  /**
   * After killing or pausing `master`: resolves once another running node reports that it serves
   * `master`'s slots and every running node reports `cluster_state:ok`; returns that node. The
   * nodes are asked, not the start-up snapshot, so an earlier failover does not confuse it.
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
  assertKnownOptions('startRedisCluster', options, CLUSTER_OPTIONS);
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
    // cluster_state:ok says every slot is served, not that every node knows every replica yet
    // (roles travel by gossip): describe the cluster only once all nodes agree on it.
    const table = await agreedTopology(servers, masters, replicasPerMaster, Math.max(1, deadline - Date.now()));
    const described = describeNodes(cluster, servers, table, stopAll);
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

interface NodeLine {
  id: string;
  port: number;
  role: 'master' | 'replica';
  masterId: string | undefined;
  slots: [number, number][];
  myself: boolean;
  failing: boolean;
}

function parseClusterNodes(table: string): NodeLine[] {
  const lines: NodeLine[] = [];
  for (const line of table.split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const flags = (fields[2] ?? '').split(',');
    const role = flags.includes('master') ? 'master' : 'replica';
    lines.push({
      id: fields[0] as string,
      port: Number((fields[1] ?? '').split('@')[0]?.split(':').pop()),
      role,
      masterId: role === 'replica' ? fields[3] : undefined,
      slots: parseSlots(fields.slice(8)),
      myself: flags.includes('myself'),
      failing: flags.some((f) => f === 'fail' || f === 'fail?' || f === 'handshake' || f === 'noaddr'),
    });
  }
  return lines;
}

/**
 * Waits until every node reports the same topology — `masters` masters holding slots, each with
 * `replicasPerMaster` replicas, no node flagged failing — and returns one node's CLUSTER NODES.
 */
async function agreedTopology(servers: readonly RedisServer[], masters: number, replicasPerMaster: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const tables = await Promise.all(servers.map((s) => sendRedisCommand(s.host, s.port, ['CLUSTER', 'NODES'], 1000).catch(() => '')));
    const views = tables.map((table) => {
      const lines = parseClusterNodes(table);
      const withSlots = lines.filter((l) => l.role === 'master' && l.slots.length > 0);
      const replicasOk = withSlots.every((m) => lines.filter((l) => l.role === 'replica' && l.masterId === m.id).length === replicasPerMaster);
      const sound = lines.length === servers.length && withSlots.length === masters && replicasOk && !lines.some((l) => l.failing);
      return sound ? lines.map((l) => `${l.id} ${l.role} ${l.masterId ?? '-'} ${JSON.stringify(l.slots)}`).sort().join('\n') : undefined;
    });
    if (views.every((v) => v !== undefined && v === views[0])) return tables[0] as string;
    last = tables[0] ?? '';
    if (Date.now() > deadline) throw new RedisClusterStartError(`the nodes did not agree on ${masters} masters with ${replicasPerMaster} replica(s) each within ${timeoutMs} ms; one view:\n${last}`);
    await sleep(50);
  }
}

/** What `node` says of itself in its own CLUSTER NODES, or undefined when it does not answer. */
async function selfView(node: RedisServer): Promise<NodeLine | undefined> {
  if (!node.running) return undefined;
  const table = await sendRedisCommand(node.host, node.port, ['CLUSTER', 'NODES'], 500).catch(() => '');
  return parseClusterNodes(table).find((l) => l.myself);
}

function describeNodes(draft: Draft, servers: readonly RedisServer[], table: string, stop: () => Promise<void>): RedisCluster {
  const byPort = new Map<number, NodeLine>();
  for (const line of parseClusterNodes(table)) byPort.set(line.port, line);
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
  /** The running node (other than `except`) that says it serves `slot`. */
  const ownerNow = async (slot: number, except?: RedisClusterNode): Promise<RedisClusterNode | undefined> => {
    const candidates = nodes.filter((n) => n !== except && n.running);
    const views = await Promise.all(candidates.map((n) => selfView(n)));
    const i = views.findIndex((v) => v !== undefined && v.role === 'master' && v.slots.some(([from, to]) => slot >= from && slot <= to));
    return i < 0 ? undefined : candidates[i];
  };
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
    async currentMasterForKey(key) {
      const owner = await ownerNow(redisKeySlot(key));
      if (owner === undefined) throw new Error(`no running node serves the slot of "${key}" (${redisKeySlot(key)})`);
      return owner;
    },
    async waitForReplication(master, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const info = await sendRedisCommand(master.host, master.port, ['INFO', 'replication'], Math.min(timeoutMs, 2000));
      if (!info.includes('role:master')) throw new Error(`node ${master.host}:${master.port} is not a master now`);
      const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? NaN);
      const ports = [...info.matchAll(/slave\d+:ip=[^,]*,port=(\d+)/g)].map((m) => Number(m[1]));
      const replicas = nodes.filter((n) => ports.includes(n.port));
      if (replicas.length === 0) throw new Error(`node ${master.host}:${master.port} has no connected replica`);
      for (const replica of replicas) {
        for (;;) {
          const text = await sendRedisCommand(replica.host, replica.port, ['INFO', 'replication'], 500).catch(() => '');
          const seen = Number(/slave_repl_offset:(\d+)/.exec(text)?.[1] ?? -1);
          if (seen >= offset) break;
          if (Date.now() > deadline) throw new RedisClusterStartError(`replica ${replica.host}:${replica.port} reached offset ${seen}, not ${offset}, within ${timeoutMs} ms`);
          await sleep(10);
        }
      }
      return replicas;
    },
    waitForState: (state, timeoutMs) => draft.waitForState(state, timeoutMs),
    async waitForFailover(master, timeoutMs = 30_000) {
      if (!nodes.some((n) => n.masterId === master.id)) {
        throw new Error(`node ${master.host}:${master.port} has no replica to fail over to`);
      }
      const slot = master.slots[0]?.[0];
      if (slot === undefined) throw new Error(`node ${master.host}:${master.port} served no slot when the cluster came up`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const owner = await ownerNow(slot, master);
        if (owner !== undefined) {
          await draft.waitForState('ok', Math.max(1, deadline - Date.now()));
          return owner;
        }
        if (Date.now() > deadline) throw new RedisClusterStartError(`no node took over the slots of ${master.host}:${master.port} within ${timeoutMs} ms`);
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
