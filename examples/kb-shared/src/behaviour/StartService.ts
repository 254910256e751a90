import type { FastifyInstance } from 'fastify';

export interface StartServiceOptions {
  /** A real redis-server the suite started for this test file. */
  redisUrl: string;
  /** Directory of seed documents (`*.txt`), indexed at start; `POST /documents` `files` are read from here. */
  documentsDir: string;
}

/**
 * Builds one knowledge-base service, ready for `inject`. The suite closes it with
 * `app.close()`, which must release everything the service holds (clients, workers, timers).
 */
export type StartService = (options: StartServiceOptions) => Promise<FastifyInstance>;
