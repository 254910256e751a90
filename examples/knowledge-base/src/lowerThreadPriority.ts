import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The default nice value of the indexing threads: serving (the main thread, nice 0) wins the CPU from them. */
export const INDEXING_NICE = 5;

let done = false;

/**
 * Lowers the OS scheduling priority of the calling thread (not of the process) on Linux, where a
 * thread is a task with its own id (`/proc/thread-self`) and nice value. Elsewhere, or when it is
 * not allowed, it does nothing: the thread then competes with the main thread as an equal.
 * Called by every indexing task; only the first call in a thread does anything. `0` leaves the
 * thread as the main thread's equal.
 */
export function lowerThreadPriority(nice = INDEXING_NICE): void {
  if (done || process.platform !== 'linux') return;
  done = true;
  if (nice === 0) return;
  try {
    // Synchronous on purpose: once per worker thread, as its task module loads, off the main thread.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // No /proc, or not permitted: keep the default priority.
  }
}
