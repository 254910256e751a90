import type { Logger } from '@asyncguard/runtime';

export interface LogEntry {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is given, for assertions. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: keyof Logger) =>
    (fields: Record<string, unknown>, message: string): void => {
      entries.push({ level, fields, message });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
