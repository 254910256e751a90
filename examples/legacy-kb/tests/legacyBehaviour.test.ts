import { HashEmbedding } from '@asyncguard/testkit/llamaindex';
import { runBehaviourSuite } from '@asyncguard-examples/kb-shared/behaviour';
import { buildLegacyServer } from '../src/index.js';

runBehaviourSuite('legacy-kb', async ({ redisUrl, documentsDir }) => buildLegacyServer({ redisUrl, documentsDir, embedModel: new HashEmbedding() }));
