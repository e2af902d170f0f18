import { accountOfRoleArn, type TargetRole } from '../domain/role-arn.ts';
import type { ActivityDeps } from './deps.ts';

export interface LambdaBudgetQueueInput extends TargetRole {
  region: string;
}

export interface LambdaBudgetQueue {
  /** The queue of the region's budgeted Lambda calls, or null: the region has no budget configured. */
  taskQueue: string | null;
}

/**
 * Where a release sends its budgeted Lambda calls (every call but GetFunction): the task queue of the
 * account the release acts in (the worker's own, or its role's) and the release's region, which Temporal
 * rate-limits across all workers. Asked once per release and recorded in its history, so a replay or a worker
 * with other settings routes the same. An account or region no worker is configured to poll gets null: the
 * release runs unbudgeted on its own queue (docs/scale.md), it never waits on a queue nobody polls.
 */
export function createLambdaBudgetQueue(deps: ActivityDeps) {
  return async function lambdaBudgetQueue(input: LambdaBudgetQueueInput): Promise<LambdaBudgetQueue> {
    return { taskQueue: budgetQueueOf(deps, input) };
  };
}

/** The budgeted queue of the account and region a release acts in, if this worker polls one. */
export function budgetQueueOf(deps: ActivityDeps, input: LambdaBudgetQueueInput): string | null {
  if (!input.roleArn) return deps.lambdaBudgetQueues?.get(input.region) ?? null;
  const account = accountOfRoleArn(input.roleArn);
  return (account && deps.roleAccountBudgetQueues?.get(`${account}/${input.region}`)) || null;
}
