// The parts of ioredis-mock 8 the in-memory server uses (the package ships no types).
declare module 'ioredis-mock' {
  class RedisMock {
    constructor(options?: Record<string, unknown>);
    disconnect(): void;
    [command: string]: unknown;
  }
  export default RedisMock;
}
