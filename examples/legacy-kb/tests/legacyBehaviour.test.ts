import { runBehaviourSuite } from '@asyncguard-examples/kb-shared/behaviour';
import { buildLegacyServer } from '../src/index.js';
import { testEmbedding } from './testEmbedding.js';

runBehaviourSuite('legacy-kb', async ({ redisUrl, documentsDir }) => buildLegacyServer({ redisUrl, documentsDir, embedModel: testEmbedding() }));
