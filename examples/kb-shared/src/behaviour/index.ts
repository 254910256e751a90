export { runBehaviourSuite } from './runBehaviourSuite.js';
export type { StartService, StartServiceOptions } from './StartService.js';
