export { buildLegacyServer } from './buildLegacyServer.js';
export type { LegacyServerOptions } from './buildLegacyServer.js';
export { KnowledgeBase } from './KnowledgeBase.js';
export type { KnowledgeBaseOptions } from './KnowledgeBase.js';
