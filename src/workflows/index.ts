// Every function exported here becomes a startable workflow type, named by its export: never rename one.
export { notificationOutbox } from './release/notification-outbox.ts';
export { release } from './release/workflow.ts';
export { train } from './train/workflow.ts';
