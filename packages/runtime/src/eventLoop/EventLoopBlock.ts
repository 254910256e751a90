/** One JavaScript frame of the main thread's stack while the event loop was blocked. */
export interface BlockFrame {
  /** The function's name, `(anonymous)` when it has none. */
  readonly functionName: string;
  /**
   * Where the code lives: an absolute path for files (the original TypeScript file when a
   * source map was found), `node:fs`-style ids for Node's own modules, or the script URL.
   */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** One period in which the main thread's event loop did not turn for longer than the threshold. */
export interface EventLoopBlock {
  /**
   * How long the loop stayed unresponsive: the delay of the watchdog's ping, so a lower bound
   * of the true blocking time, with a resolution of the monitor's `intervalMs`.
   */
  readonly durationMs: number;
  /**
   * The main thread's stack when the watchdog paused it, innermost frame first. Empty when the
   * stack could not be captured (stack capture disabled, or the loop recovered before V8
   * reached a point where it could pause).
   */
  readonly frames: readonly BlockFrame[];
  /** Wall-clock time (ms since the epoch) of the watchdog ping that went unanswered. */
  readonly startedAt: number;
  /** Milliseconds from that ping until the watchdog declared a block (threshold + scheduling). */
  readonly detectedAfterMs: number;
  /**
   * Milliseconds from that ping until the main thread paused and its stack was read; undefined
   * when no stack was captured. V8 can only pause JavaScript: during a long native call
   * (`JSON.parse`, `pbkdf2Sync`, `readFileSync`) the pause lands on the first JavaScript that
   * runs after it, so the innermost frames are then just after the blocking call.
   */
  readonly capturedAfterMs: number | undefined;
}
