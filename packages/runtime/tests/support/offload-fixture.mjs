// Loaded by offload.test.ts inside worker threads.
import { threadId } from 'node:worker_threads';

export function add(a, b) {
  return a + b;
}

export default async function whoAmI() {
  return threadId;
}
