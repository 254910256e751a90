export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export const step = (n: number, of: number, what: string): void => {
  say();
  say(`[${n}/${of}] ${what}`);
};

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
