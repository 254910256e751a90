import type { Logger } from '../Logger.js';
import { redactCredentials } from './redactCredentials.js';

/**
 * A manager's log lines: always redacted (no password or token from the options or a URL ever
 * reaches the logger), tagged with the manager's name, and rate-limited per kind of message so a
 * Redis outage under load logs a line a second, not one per failed command. A logger that throws
 * never breaks a Redis call. @internal
 */
export class RedisLog {
  private readonly times = new Map<string, { at: number; suppressed: number }>();

  constructor(
    readonly name: string,
    private readonly logger: Logger | undefined,
    readonly secrets: readonly string[],
  ) {}

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, meta: Record<string, unknown>): void {
    const logger = this.logger;
    if (logger === undefined) return;
    const text = redactCredentials(message, this.secrets);
    try {
      logger[level]({ manager: this.name, ...meta }, text);
    } catch {
      // A broken logger must not break Redis calls.
    }
  }

  /** Logs `message` at most once a second per `key`, counting what it suppressed. */
  once(key: string, level: 'warn' | 'info', message: string, meta: Record<string, unknown>): void {
    const now = Date.now();
    const entry = this.times.get(key);
    if (entry !== undefined && now - entry.at < 1000) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (this.times.size > 1000) this.times.clear();
    this.times.set(key, { at: now, suppressed: 0 });
    this.log(level, message, suppressed > 0 ? { ...meta, suppressed } : meta);
  }

  /** A failed call answered by its fallback, or swallowed by the safe facade. */
  failure(command: string, error: unknown, via: 'fallback' | 'safe'): void {
    const reason = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    this.once(`${via}:${command}:${reason}`, 'warn', `redis ${this.name}: ${command} failed (${reason}); ${via === 'fallback' ? 'using its fallback' : 'safe facade returned undefined'}`, {
      command,
      reason,
      error: redactCredentials(message, this.secrets),
    });
  }

  /** Forgets the rate-limit state (at close). */
  clear(): void {
    this.times.clear();
  }
}
