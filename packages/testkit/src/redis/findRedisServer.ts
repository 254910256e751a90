import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Thrown when no `redis-server` binary can be found. The message says how to get one. */
export class RedisServerNotFoundError extends Error {
  override readonly name = 'RedisServerNotFoundError';
  readonly binary: string;
  constructor(binary: string, detail: string) {
    super(
      `redis-server not found (${detail}). Install it (Debian/Ubuntu: apt-get install redis-server; ` +
        `macOS: brew install redis) or set REDIS_SERVER_BIN to the path of a redis-server binary.`,
    );
    this.binary = binary;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a binary named `name` is on PATH, or undefined. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The redis-server binary to use: `REDIS_SERVER_BIN` when set (it must be executable), else
 * `redis-server` on PATH. Returns undefined when there is none.
 */
export function findRedisServerBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.REDIS_SERVER_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutable(fromEnv)) {
      throw new RedisServerNotFoundError(fromEnv, `REDIS_SERVER_BIN=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  return which('redis-server', env);
}

/** Like {@link findRedisServerBinary}, but throws {@link RedisServerNotFoundError} when there is none. */
export function requireRedisServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const found = findRedisServerBinary(env);
  if (found === undefined) throw new RedisServerNotFoundError('redis-server', 'not on PATH and REDIS_SERVER_BIN is not set');
  return found;
}
