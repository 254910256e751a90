import { findRedisServerBinary, startRedisServer } from '@asyncguard/testkit';
import { startInMemoryRedis } from './startInMemoryRedis.js';

export interface ResolvedRedis {
  url: string;
  /** Where the URL came from. */
  kind: 'external' | 'redis-server' | 'in-memory';
  /** Stops what this function started (nothing for an external URL). */
  stop(): Promise<void>;
}

export interface ResolveRedisOptions {
  /** `REDIS_URL`; when set it is used as it is. */
  url?: string | undefined;
  /** Where the one-line warning about the in-memory fallback goes. Default: stderr. */
  warn?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * The embedded default: `REDIS_URL` when set; otherwise a private redis-server on an ephemeral
 * loopback port when one is on PATH (or `REDIS_SERVER_BIN`); otherwise an in-memory Redis, with
 * a one-line warning, so the service starts on any machine.
 */
export async function resolveRedis(options: ResolveRedisOptions = {}): Promise<ResolvedRedis> {
  const url = options.url?.trim();
  if (url !== undefined && url !== '') return { url, kind: 'external', stop: async () => {} };
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  let binary: string | undefined;
  try {
    binary = findRedisServerBinary(options.env ?? process.env);
  } catch {
    binary = undefined;
  }
  if (binary !== undefined) {
    try {
      const server = await startRedisServer({ binary });
      return { url: server.url, kind: 'redis-server', stop: () => server.stop() };
    } catch (err) {
      warn(`knowledge-base: redis-server at ${binary} did not start (${(err as Error).message.split('\n')[0] ?? ''}); using in-memory Redis`);
      const memory = await startInMemoryRedis();
      return { url: memory.url, kind: 'in-memory', stop: () => memory.close() };
    }
  }
  warn('knowledge-base: no REDIS_URL and no redis-server on PATH; using an in-memory Redis (data is lost on exit)');
  const memory = await startInMemoryRedis();
  return { url: memory.url, kind: 'in-memory', stop: () => memory.close() };
}
