// Minimal typing of the parts of ioredis-mock 8 that createFaultyRedis touches (the package
// ships no types of its own).
declare module 'ioredis-mock' {
  import { EventEmitter } from 'node:events';
  class RedisMock extends EventEmitter {
    constructor(options?: Record<string, unknown>);
    options: Record<string, unknown>;
    connected: boolean;
    disconnect(): void;
    multi(batch?: unknown[]): { exec(callback?: unknown): Promise<unknown> } & Record<string, unknown>;
    pipeline(batch?: unknown[]): { exec(callback?: unknown): Promise<unknown> } & Record<string, unknown>;
    exec(callback?: unknown): Promise<unknown>;
    [command: string]: unknown;
  }
  export default RedisMock;
}
