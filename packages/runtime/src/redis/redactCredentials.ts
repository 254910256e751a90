/**
 * The one place that keeps credentials out of text: every message, log line, metric attribute
 * and thrown error that may mention a URL or an option goes through these functions.
 *
 * Two rules, both conservative (when in doubt, hide more):
 * - in free text, everything between a `scheme://` and the last `@` on the same line becomes
 *   `***` — a user name or password may hold `/`, `:`, `#`, `%`, `@` or any other character, so
 *   the user-info cannot be told apart from the rest by its characters, only by that last `@`;
 * - every known secret (passwords given as options or found in a URL, raw and decoded) is
 *   replaced wherever it appears.
 */
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;

/** Schemes shown as they are in messages about a URL that could not be used (others may be a secret). */
const KNOWN_SCHEMES = new Set(['redis', 'rediss', 'redis+sentinel', 'redis-sentinel', 'valkey', 'valkeys', 'unix', 'tcp', 'http', 'https']);

export function redactCredentials(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Known secrets first (a secret may itself hold '://' or '@'), longest first, so a secret that
  // contains another one is replaced whole.
  for (const secret of secrets.length > 1 ? [...secrets].sort((a, b) => b.length - a.length) : secrets) {
    if (secret.length === 0) continue;
    out = out.split(secret).join('***');
  }
  return redactUserInfo(out);
}

/** `scheme://…@` → `scheme://***@`, up to the last `@` of the line. */
function redactUserInfo(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let from = 0;
  SCHEME.lastIndex = 0;
  for (let m = SCHEME.exec(text); m !== null; m = SCHEME.exec(text)) {
    if (m[0].length === 7 && m[0].toLowerCase() === 'file://') continue; // stack frames: no credentials, '@' in package paths
    const start = m.index + m[0].length;
    let lineEnd = text.indexOf('\n', start);
    if (lineEnd < 0) lineEnd = text.length;
    const at = text.lastIndexOf('@', lineEnd - 1);
    if (at < start) continue;
    out += `${text.slice(from, start)}***`;
    from = at;
    SCHEME.lastIndex = at;
  }
  return out + text.slice(from);
}

/**
 * A URL the caller gave, for an error message about it (quoted): the scheme when it is a known
 * one, never anything before the last `@`, and without an `@` the host and port only when they
 * look like a host and a port (`redis://:hunter2` lost its `@host`: its "port" is a password).
 * A text that is not a URL at all shows nothing (it may be a password pasted into the wrong field).
 */
export function describeUrl(text: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme === null || !KNOWN_SCHEMES.has(scheme[1]!.toLowerCase())) return '(not shown: it may hold a password)';
  const rest = text.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) return JSON.stringify(`${scheme[0]}***${rest.slice(at)}`);
  const authority = /^[^/?#]*/.exec(rest)![0];
  const shown = HOST_PORT.test(authority) ? authority : '***';
  return JSON.stringify(`${scheme[0]}${shown}${authority.length < rest.length ? '/…' : ''}`);
}

const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]+)?$/i;

/** Whether `scheme` (without `:`) is one a message may show. */
export function isKnownScheme(scheme: string): boolean {
  return KNOWN_SCHEMES.has(scheme.toLowerCase());
}

const MAX_DEPTH = 8;

function mentions(text: string, secrets: readonly string[]): boolean {
  return redactCredentials(text, secrets) !== text;
}

/** Whether `err`, its `cause` chain or any of its enumerable fields mention a secret. */
function leaks(err: unknown, secrets: readonly string[], depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (typeof err === 'string') return mentions(err, secrets);
  if (err === null || typeof err !== 'object') return false;
  if (err instanceof Error && (mentions(err.message, secrets) || mentions(err.stack ?? '', secrets))) return true;
  if (err instanceof Error && 'cause' in err && leaks(err.cause, secrets, depth + 1)) return true;
  for (const [key, value] of Object.entries(err)) {
    if (mentions(key, secrets)) return true;
    if (typeof value === 'string' ? mentions(value, secrets) : value !== null && typeof value === 'object' && leaks(value, secrets, depth + 1)) return true;
  }
  return false;
}

/**
 * A copy of `err` safe to attach as a `cause` or to log: when its message, stack, `cause` chain
 * or an enumerable field mentions a secret, a plain Error with the redacted text (and the same
 * name, `code` and redacted cause) replaces it; otherwise `err` itself.
 */
export function redactError(err: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!leaks(err, secrets, depth)) return err;
  if (typeof err === 'string') return redactCredentials(err, secrets);
  if (!(err instanceof Error) || depth >= MAX_DEPTH) return new Error('(redacted: it mentioned a credential)');
  const copy = new Error(redactCredentials(err.message, secrets));
  copy.name = err.name;
  copy.stack = redactCredentials(err.stack ?? '', secrets);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') (copy as { code?: unknown }).code = typeof code === 'string' ? redactCredentials(code, secrets) : code;
  if ('cause' in err && err.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: redactError(err.cause, secrets, depth + 1), writable: true, configurable: true, enumerable: false });
  }
  return copy;
}
