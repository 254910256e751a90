import { redisKeySlot } from './redisKeySlot.js';

/** The Redis error replies a rule can inject. */
export const REPLY_ERROR_KINDS = ['ERR', 'READONLY', 'OOM', 'LOADING', 'MOVED'] as const;
export type ReplyErrorKind = (typeof REPLY_ERROR_KINDS)[number];

/**
 * What `fail(kind)` injects: a Redis error reply, or `ECONNRESET` — the connection is reset under
 * the command (the client sees an `error` event with code ECONNRESET, then `close`).
 */
export type FailKind = ReplyErrorKind | 'ECONNRESET';
export const FAIL_KINDS: readonly FailKind[] = [...REPLY_ERROR_KINDS, 'ECONNRESET'];

/** Where injected MOVED replies point unless the rule gives its own message. */
export const DEFAULT_MOVED_TARGET = '127.0.0.1:6380';

const DEFAULT_TEXT: Record<Exclude<ReplyErrorKind, 'MOVED'>, string> = {
  ERR: 'ERR injected fault',
  READONLY: "READONLY You can't write against a read only replica.",
  OOM: "OOM command not allowed when used memory > 'maxmemory'.",
  LOADING: 'LOADING Redis is loading the dataset in memory',
};

/**
 * The text of the error reply for `kind` (what follows `-` on the wire and what ioredis puts in
 * `ReplyError#message`). A custom `message` is used as it is when it already starts with the
 * kind's prefix, else the prefix is put in front. MOVED names the real slot of `key`.
 */
export function errorReplyText(kind: ReplyErrorKind, message: string | undefined, key: string | undefined): string {
  if (message !== undefined) return message.startsWith(`${kind} `) || message === kind ? message : `${kind} ${message}`;
  if (kind === 'MOVED') return `MOVED ${key === undefined ? 0 : redisKeySlot(key)} ${DEFAULT_MOVED_TARGET}`;
  return DEFAULT_TEXT[kind];
}
