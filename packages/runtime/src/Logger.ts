/** One log method: structured fields first, then the message (pino's calling convention). */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * The logger asyncguard writes through. A pino logger satisfies it as is; so does a thin
 * adapter over anything else. The default is {@link silentLogger}.
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

export type LogLevel = keyof Logger;

const noop: LogMethod = () => {};

/** Writes nothing. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
