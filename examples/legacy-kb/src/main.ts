import { SAMPLE_DOCUMENTS_DIR } from '@asyncguard-examples/kb-shared';
import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { buildLegacyServer } from './buildLegacyServer.js';

// Usage: REDIS_URL=redis://127.0.0.1:6390 [PORT=3001] [HOST=127.0.0.1] [DOCUMENTS_DIR=...] tsx src/main.ts
const redisUrl = process.env.REDIS_URL;
if (redisUrl === undefined || redisUrl === '') {
  process.stderr.write('legacy-kb: set REDIS_URL (e.g. redis://127.0.0.1:6390)\n');
  process.exit(2);
}
const app = buildLegacyServer({ redisUrl, documentsDir: process.env.DOCUMENTS_DIR ?? SAMPLE_DOCUMENTS_DIR, embedModel: new HashEmbedding() });
const address = await app.listen({ port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? '127.0.0.1' });
process.stdout.write(`legacy-kb listening on ${address}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
