import { SAMPLE_DOCUMENTS_DIR } from '@asyncguard-examples/kb-shared';
import type { Logger } from '@asyncguard/runtime';
import { createKnowledgeBaseServer } from './createKnowledgeBaseServer.js';
import { resolveRedis } from './redis/resolveRedis.js';

// Usage: [REDIS_URL=redis://…] [PORT=3000] [HOST=127.0.0.1] [DOCUMENTS_DIR=…] [INDEXING_THREADS=n] [INDEXING_NICE=5] tsx src/main.ts
// Without REDIS_URL it starts a private redis-server (or an in-memory Redis) of its own.

const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
  const err = fields.err instanceof Error ? ` (${fields.err.name}: ${fields.err.message})` : '';
  process.stderr.write(`${new Date().toISOString()} ${level} ${message}${err}\n`);
};
const logger: Logger = { debug: () => {}, info: write('info'), warn: write('warn'), error: write('error') };

const redis = await resolveRedis({ url: process.env.REDIS_URL });
const { app } = createKnowledgeBaseServer({
  redisUrl: redis.url,
  documentsDir: process.env.DOCUMENTS_DIR ?? SAMPLE_DOCUMENTS_DIR,
  logger,
  warmUp: true,
  ...(process.env.INDEXING_THREADS === undefined ? {} : { indexingThreads: Number(process.env.INDEXING_THREADS) }),
  ...(process.env.INDEXING_NICE === undefined ? {} : { indexingNice: Number(process.env.INDEXING_NICE) }),
});
app.addHook('onClose', async () => {
  await redis.stop();
});
const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
process.stdout.write(`knowledge-base listening on ${address} (redis: ${redis.kind} ${redis.url})\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
