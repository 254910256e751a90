import type { Cluster } from 'ioredis';
import type { IoredisClient } from './createIoredisClient.js';

/** Whether `client` is an ioredis `Cluster` (it has `nodes()`). */
export function isCluster(client: IoredisClient): client is Cluster {
  return typeof (client as { nodes?: unknown }).nodes === 'function';
}

/** Destroys the client's socket at once (no FIN handshake a stalled peer would never finish). */
export function destroyStream(client: unknown): void {
  const stream = (client as { stream?: { destroy(): void } }).stream;
  stream?.destroy();
}

/** Disconnects at once (no QUIT round trip that could hang) and waits for the socket to close. */
export async function closeIoredisClient(client: IoredisClient): Promise<void> {
  if (client.status === 'end') return;
  const stream = (client as { stream?: { destroyed?: boolean } }).stream;
  // Between a lost connection and the next attempt there is no socket to wait for: disconnect()
  // only cancels the pending reconnect, and ioredis will not emit 'end'.
  const waitForEnd = isCluster(client) || (stream !== undefined && stream.destroyed !== true);
  const ended = new Promise<void>((resolve) => {
    client.once('end', () => resolve());
  });
  client.disconnect();
  if (!isCluster(client)) destroyStream(client);
  if (!waitForEnd) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
  clearTimeout(timer);
}

