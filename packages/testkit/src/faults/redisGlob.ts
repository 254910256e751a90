import { FaultSpecError } from './FaultSpecError.js';

/**
 * Compiles a Redis-style glob (the syntax of KEYS and SCAN MATCH: `*`, `?`, `[abc]`, `[^a-z]`,
 * `\x` to escape) into an anchored RegExp. Throws {@link FaultSpecError} naming `path` when the
 * pattern is malformed.
 */
export function redisGlob(pattern: string, path = 'key'): RegExp {
  if (typeof pattern !== 'string' || pattern === '') throw new FaultSpecError(path, 'a non-empty glob string', pattern);
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new FaultSpecError(path, 'a glob that does not end with a lone "\\"', pattern);
      source += escapeRegExp(next);
      i++;
    } else if (ch === '[') {
      const close = findClose(pattern, i + 1);
      if (close < 0) throw new FaultSpecError(path, 'a glob whose "[" is closed by "]"', pattern);
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      if (body === '') throw new FaultSpecError(path, 'a glob without an empty "[]" class', pattern);
      source += `[${negate ? '^' : ''}${classBody(body)}]`;
      i = close;
    } else source += escapeRegExp(ch);
  }
  try {
    return new RegExp(`${source}$`);
  } catch {
    throw new FaultSpecError(path, 'a valid glob (check the ranges inside "[...]")', pattern);
  }
}

function findClose(pattern: string, from: number): number {
  for (let j = from; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === ']' && j > from) return j;
  }
  return -1;
}

function classBody(body: string): string {
  let out = '';
  for (let j = 0; j < body.length; j++) {
    const ch = body[j] as string;
    if (ch === '\\' && j + 1 < body.length) {
      out += escapeRegExp(body[j + 1] as string);
      j++;
    } else if (ch === '-' && j > 0 && j < body.length - 1) out += '-';
    else out += /[\\\]^-]/.test(ch) ? `\\${ch}` : ch;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
