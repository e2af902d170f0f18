// Every function exported here becomes a startable workflow type, named by its export: never rename one.
export { release } from './release/workflow.ts';
export { train } from './train/workflow.ts';
