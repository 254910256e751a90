import type { Command } from 'ioredis';
import type { AmbientDeadline } from '../internal/AmbientDeadline.js';
import type { DeadlineEntry, DeadlineList } from '../internal/DeadlineQueue.js';
import type { RedisCallOptions } from './RedisCallOptions.js';
import type { ReadyWaiter } from './RedisConnection.js';

export const enum Phase {
  /** Waiting for an in-flight slot. */
  Slot,
  /** Waiting for the connection to become ready. */
  Connection,
  /** Written to the socket, waiting for the reply. */
  Sent,
  /** Waiting before a retry. */
  Backoff,
  Done,
}

/** What a call needs from the command path that runs it. @internal */
export interface PendingCallHost {
  /** The call's deadline passed. */
  expire(call: PendingCall, now: number): void;
  /** The connection became ready while the call waited for it. */
  connectionReady(call: PendingCall): void;
  /** Redis is down or closed while the call waited for a connection (or when it asked). */
  connectionFailed(call: PendingCall, reason: string): void;
}

/**
 * One admitted command, from admission to its settlement; also its own deadline entry and, while
 * it waits for a connection, its own ready-waiter.
 *
 * On the fast path (connection ready, slot free) the caller gets the ioredis command's own
 * promise, as with raw ioredis (the command's resolve/reject are wrapped to settle the call). A
 * deadline rejects the ioredis command itself
 * (as ioredis' own `commandTimeout` does: it stays queued so later replies still match). Only a
 * call that has to wait (for a connection, a slot or a retry) gets a deferred promise of its own.
 * @internal
 */
export class PendingCall<T = unknown> implements DeadlineEntry, ReadyWaiter {
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlList: DeadlineList | null = null;
  dlAt = 0;
  /** Intrusive list of admitted calls (for close()). */
  prev: PendingCall | null = null;
  next: PendingCall | null = null;
  phase = Phase.Connection;
  /** Attempts written to a socket: > 0 means a write may have been applied. */
  written = 0;
  attempt = 0;
  command: Command | undefined = undefined;
  /** ioredis' own resolve and reject of {@link command} (the command's are wrapped). */
  settleCommand: ((value: unknown) => void) | undefined = undefined;
  failCommand: ((error: Error) => void) | undefined = undefined;
  backoff: NodeJS.Timeout | undefined = undefined;
  queued = false;
  raw = false;
  /** The ambient deadline (`withDeadline`) this call waits on instead of its own budget. */
  inherited: AmbientDeadline | undefined = undefined;
  resolve: ((value: T | PromiseLike<T>) => void) | undefined = undefined;
  reject: ((error: unknown) => void) | undefined = undefined;
  promise: Promise<T> | undefined = undefined;

  constructor(
    readonly host: PendingCallHost,
    readonly name: string,
    readonly args: unknown[],
    readonly budgetMs: number,
    readonly started: number,
    readonly retries: number,
    readonly options: RedisCallOptions<T> | undefined,
  ) {}

  /** The call's own promise, made when it first has to wait. */
  deferred(): Promise<T> {
    this.promise ??= new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    return this.promise;
  }

  expire(now: number): void {
    this.host.expire(this as unknown as PendingCall, now);
  }

  ready(): void {
    this.host.connectionReady(this as unknown as PendingCall);
  }

  fail(reason: string): void {
    this.host.connectionFailed(this as unknown as PendingCall, reason);
  }
}
