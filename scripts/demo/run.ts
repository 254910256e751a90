import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export const step = (n: number, of: number, what: string): void => {
  say();
  say(`[${n}/${of}] ${what}`);
};

/** Starts `node --import tsx <main>` and resolves its URL once it prints "listening on". */
export async function startService(main: string, env: Record<string, string>, cwd: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], { cwd, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the service did not start within 60 s\n${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited during start (code ${String(code)})\n${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(m[1]);
      }
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
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
