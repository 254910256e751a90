export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** A step's short header, then (optionally) one line on what it does. */
export const step = (n: number, of: number, what: string, how?: string): void => {
  say();
  say(`[${n}/${of}] ${what}`);
  if (how !== undefined) say(`  ${how}`);
};

/** The terminal's width (100 when not a terminal), at least 60. */
export const width = (): number => Math.max(60, process.stdout.columns ?? 100);

/**
 * `text` whole, broken at spaces to fit the width: the first line after `first`, the rest after
 * `indent` (a long word is never cut).
 */
export function wrap(first: string, text: string, indent: string): string[] {
  const lines: string[] = [];
  let current = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && current.length + 1 + word.length > width()) {
      lines.push(current);
      current = indent + word;
    } else {
      current += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}

export interface Timed<T> {
  ms: number;
  status: number;
  body: T;
}

/** One HTTP call with its wall time; a 30 s client timeout so nothing in the demo can hang. */
export async function call<T = unknown>(url: string, init: RequestInit = {}): Promise<Timed<T>> {
  const started = performance.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { ms: performance.now() - started, status: res.status, body: body as T };
}

export const postJson = <T = unknown>(url: string, payload: unknown): Promise<Timed<T>> =>
  call<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

export const ms = (n: number): string => `${Math.round(n)} ms`;
