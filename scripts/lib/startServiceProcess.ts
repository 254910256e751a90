import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts one service as its own process (`node --import tsx <main>`), so a service that blocks
 * its event loop blocks only itself, never the load generator. Resolves when it prints the
 * `listening on http://…` line; its stderr is kept for the error message if it dies.
 */
export async function startServiceProcess(
  name: string,
  main: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- ${name} stderr ---\n${stderr}`));
    };
    child.once('exit', (code, signal) => fail(new Error(`${name} exited during start (code ${String(code)}, signal ${String(signal)})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(m[1]);
      }
    });
  });
  return {
    name,
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // A blocked or hung service may never act on SIGTERM: give it a moment, then SIGKILL.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
