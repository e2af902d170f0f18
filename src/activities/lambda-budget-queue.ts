import type { ActivityDeps } from './deps.ts';

export interface LambdaBudgetQueueInput {
  region: string;
}

export interface LambdaBudgetQueue {
  /** The queue of the region's budgeted Lambda calls, or null: the region has no budget configured. */
  taskQueue: string | null;
}

/**
 * Where a release sends its budgeted Lambda calls (every call but GetFunction): the task queue of the
 * worker's account and the release's region, which Temporal rate-limits across all workers. Asked once
 * per release and recorded in its history, so a replay or a worker with other settings routes the same.
 */
export function createLambdaBudgetQueue(deps: ActivityDeps) {
  return async function lambdaBudgetQueue(input: LambdaBudgetQueueInput): Promise<LambdaBudgetQueue> {
    return { taskQueue: deps.lambdaBudgetQueues?.get(input.region) ?? null };
  };
}
