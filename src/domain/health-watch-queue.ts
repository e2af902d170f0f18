/**
 * The task queue of a release queue's long-running health monitors: I/O-idle work that may number in the
 * thousands, so it has a queue, and worker slots, of its own (docs/scale.md).
 */
export function healthWatchQueue(releaseTaskQueue: string): string {
  return `${releaseTaskQueue}/health`;
}
