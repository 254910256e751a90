import { runBehaviourSuite } from '@asyncguard-examples/kb-shared/behaviour';
import { createKnowledgeBaseServer } from '../src/index.js';

runBehaviourSuite('knowledge-base', async ({ redisUrl, documentsDir }) => createKnowledgeBaseServer({ redisUrl, documentsDir }).app);
