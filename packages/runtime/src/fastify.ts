export { asyncguardDeadlines, asyncguardDeadlines as default } from './fastify/deadlinePlugin.js';
export type { DeadlinePluginOptions } from './fastify/deadlinePlugin.js';
export { errorReply } from './fastify/errorReply.js';
export type { ErrorReply, ErrorReplyBody, ErrorReplyOptions } from './fastify/errorReply.js';
