import type { MessagePort } from 'node:worker_threads';

/** What the main thread hands the watchdog worker. */
export interface WatchdogData {
  /** Shared clock: Float64 [0] = when the main thread answered the last ping (ms, hrtime clock); Int32 at byte 8 = its sequence number. */
  readonly shared: SharedArrayBuffer;
  /** The worker's end of the ping channel. */
  readonly pingPort: MessagePort;
  readonly thresholdMs: number;
  readonly intervalMs: number;
  readonly captureStacks: boolean;
  readonly maxFrames: number;
}

/** A call frame as the inspector reports it, before source mapping. 0-based positions. */
export interface RawFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
  readonly sourceMapURL: string | undefined;
}

export type WatchdogMessage =
  | { readonly type: 'ready'; readonly capturing: boolean; readonly problem: string | undefined }
  | {
      readonly type: 'block';
      readonly durationMs: number;
      readonly startedAt: number;
      readonly detectedAfterMs: number;
      readonly capturedAfterMs: number | undefined;
      readonly frames: readonly RawFrame[];
    }
  | { readonly type: 'flushed'; readonly id: number }
  | { readonly type: 'stopped' };

export type WatchdogCommand = { readonly type: 'flush'; readonly id: number } | { readonly type: 'stop' } | { readonly type: 'exit' };

/**
 * The watchdog's whole program. It runs in a worker thread from its source text
 * (`watchdogWorkerSource()`), so it must stay self-contained: no imports, no closures, modules
 * only through the `req` parameter. That keeps it working unchanged from TypeScript sources
 * under Vitest and from the bundled ESM and CJS builds (no worker file path to resolve).
 *
 * Protocol: the worker pings the main thread over `pingPort` every `intervalMs`; the main
 * thread's handler stamps the shared clock. A ping unanswered for `thresholdMs` is a block:
 * the worker asks the main thread's inspector to pause (`Debugger.pause` through a session from
 * `connectToMainThread()`), copies the call frames, resumes, then waits for the ping's answer to
 * learn how long the block lasted, and reports it.
 */
export function watchdogMain(req: NodeJS.Require, data: WatchdogData): void {
  const { parentPort } = req('node:worker_threads') as typeof import('node:worker_threads');
  const inspector = req('node:inspector') as typeof import('node:inspector');
  if (parentPort === null) throw new Error('the watchdog must run in a worker thread');
  const port = parentPort;
  const answeredAt = new Float64Array(data.shared, 0, 1);
  const answeredSeq = new Int32Array(data.shared, 8, 1);
  const now = (): number => Number(process.hrtime.bigint()) / 1e6;
  const wallOffset = Date.now() - now();

  const scripts = new Map<string, { url: string; sourceMapURL: string | undefined }>();
  let session: import('node:inspector').Session | undefined;
  let capturing = false;
  let onPaused: ((frames: RawFrame[]) => void) | undefined;
  let abortCapture: (() => void) | undefined;

  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (session === undefined) {
        reject(new Error('no inspector session'));
        return;
      }
      session.post(method, params, (err: Error | null, result?: unknown) => (err ? reject(err) : resolve(result)));
    });

  interface PausedParams {
    callFrames: Array<{
      functionName: string;
      url?: string;
      location: { scriptId: string; lineNumber: number; columnNumber?: number };
    }>;
  }

  /** Connects a session to the main thread with the listeners a capture needs. */
  const openSession = (): import('node:inspector').Session => {
    const opened = new inspector.Session();
    opened.connectToMainThread();
    opened.on('Debugger.scriptParsed', (message: { params: { scriptId: string; url: string; sourceMapURL?: string } }) => {
      const { scriptId, url, sourceMapURL } = message.params;
      scripts.set(scriptId, { url, sourceMapURL: sourceMapURL === '' ? undefined : sourceMapURL });
    });
    opened.on('Debugger.paused', (message: { params: PausedParams }) => {
      const frames: RawFrame[] = [];
      for (const frame of message.params.callFrames.slice(0, data.maxFrames)) {
        const script = scripts.get(frame.location.scriptId);
        frames.push({
          functionName: frame.functionName,
          url: script?.url ?? frame.url ?? '',
          lineNumber: frame.location.lineNumber,
          columnNumber: frame.location.columnNumber ?? 0,
          sourceMapURL: script?.sourceMapURL,
        });
      }
      // Resume whatever paused us: our own request, or a stray `debugger;` statement, which
      // must stay a no-op as it is without a debugger attached.
      post('Debugger.resume').catch(() => undefined);
      const deliver = onPaused;
      onPaused = undefined;
      if (deliver !== undefined) deliver(frames);
    });
    return opened;
  };

  const closeSession = async (): Promise<void> => {
    const current = session;
    if (current === undefined) return;
    session = undefined;
    await new Promise<void>((resolve) => current.post('Debugger.disable', {}, () => resolve()));
    current.disconnect();
    scripts.clear();
  };

  // Nothing of the inspector stays attached between blocks: a connected session, and even more
  // an enabled Debugger domain (V8 then does async-task bookkeeping on every await), slow the
  // main thread down. At a block the watchdog connects, enables the Debugger (the blocked thread
  // first lists its parsed scripts: a few ms, more in a big app, paid only when the loop is
  // already stuck), pauses, reads the frames, resumes and disconnects.
  let canCapture = false;
  const startInspector = async (): Promise<string | undefined> => {
    if (!data.captureStacks) return undefined;
    try {
      session = openSession();
      await post('Runtime.evaluate', { expression: '0' });
      canCapture = true;
      return undefined;
    } catch (err) {
      return `stack capture unavailable: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await closeSession();
    }
  };

  const captureStack = (): Promise<RawFrame[] | undefined> =>
    new Promise((resolve) => {
      if (!canCapture || stopping) {
        resolve(undefined);
        return;
      }
      try {
        session = openSession();
      } catch {
        resolve(undefined);
        return;
      }
      capturing = true;
      const done = (frames: RawFrame[] | undefined): void => {
        if (!capturing) return;
        capturing = false;
        onPaused = undefined;
        abortCapture = undefined;
        // Messages run in order: resume (sent by the paused handler), disable, then disconnect.
        void closeSession();
        resolve(frames);
      };
      onPaused = done;
      abortCapture = () => done(undefined);
      // Sent back to back, both run in the same interrupt of the blocked thread: enable, then
      // pause right where it is.
      post('Debugger.enable').catch(() => done(undefined));
      post('Debugger.pause').catch(() => done(undefined));
    });

  let seq = 0;
  let sentAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = false; // a block is being captured or measured
  let stopping = false;
  const flushWaiters: number[] = [];

  const answered = (): boolean => Atomics.load(answeredSeq, 0) >= seq;

  const releaseFlushes = (): void => {
    for (const id of flushWaiters.splice(0)) port.postMessage({ type: 'flushed', id } satisfies WatchdogMessage);
  };

  const schedulePing = (delayMs: number): void => {
    if (stopping) return;
    timer = setTimeout(ping, Math.max(0, delayMs));
  };

  const ping = (): void => {
    seq += 1;
    sentAt = now();
    data.pingPort.postMessage(seq);
    timer = setTimeout(check, Math.min(data.intervalMs, data.thresholdMs));
  };

  // Polls the ping every `intervalMs`: an answer schedules the next ping `intervalMs` after
  // this one was sent, so a block is noticed at most threshold + interval after it began.
  const check = (): void => {
    if (stopping) return;
    if (answered()) {
      const delay = answeredAt[0]! - sentAt;
      if (delay <= data.thresholdMs) {
        if (flushWaiters.length > 0) releaseFlushes();
        schedulePing(sentAt + data.intervalMs - now());
        return;
      }
      void handleBlock(); // answered, but late: a block that ended between two polls
      return;
    }
    const elapsed = now() - sentAt;
    if (elapsed < data.thresholdMs) {
      timer = setTimeout(check, Math.min(data.intervalMs, data.thresholdMs - elapsed));
      return;
    }
    void handleBlock();
  };

  const handleBlock = async (): Promise<void> => {
    busy = true;
    const detectedAfterMs = now() - sentAt;
    let frames: RawFrame[] | undefined;
    let capturedAfterMs: number | undefined;
    if (!answered()) {
      frames = await captureStack();
      if (frames !== undefined) capturedAfterMs = now() - sentAt;
      // The pause landed after the loop had already turned: the frames belong to later code.
      if (answered() && frames !== undefined) {
        frames = undefined;
        capturedAfterMs = undefined;
      }
    }
    const pollMs = Math.max(1, Math.min(5, data.intervalMs));
    while (!answered() && !stopping) await new Promise((r) => setTimeout(r, pollMs));
    if (stopping && !answered()) {
      busy = false;
      return;
    }
    port.postMessage({
      type: 'block',
      durationMs: answeredAt[0]! - sentAt,
      startedAt: sentAt + wallOffset,
      detectedAfterMs,
      capturedAfterMs,
      frames: frames ?? [],
    } satisfies WatchdogMessage);
    busy = false;
    releaseFlushes();
    schedulePing(data.intervalMs);
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    if (timer !== undefined) clearTimeout(timer);
    abortCapture?.();
    await closeSession();
    data.pingPort.close();
    // Stay alive until the main thread says so: it must first process the session's removal,
    // which posts back to this thread; if this thread were gone by then, Node would abort.
    port.postMessage({ type: 'stopped' } satisfies WatchdogMessage);
  };

  port.on('message', (command: WatchdogCommand) => {
    if (command.type === 'stop') {
      void stop();
    } else if (command.type === 'exit') {
      port.close();
    } else if (command.type === 'flush') {
      // Answer once the ping in flight is settled, so a block that just ended is reported first.
      flushWaiters.push(command.id);
      if (!busy && answered() && answeredAt[0]! - sentAt <= data.thresholdMs) releaseFlushes();
    }
  });

  void startInspector().then((problem) => {
    port.postMessage({ type: 'ready', capturing: canCapture, problem } satisfies WatchdogMessage);
    schedulePing(0);
  });
}

/** JavaScript source that runs {@link watchdogMain} in a worker started with `eval: true`. */
export function watchdogWorkerSource(): string {
  // `__name` covers transpilers that keep function names with a helper call (esbuild keepNames).
  return `'use strict';\nvar __name = (target) => target;\n(${watchdogMain.toString()})(require, require('node:worker_threads').workerData);\n`;
}
