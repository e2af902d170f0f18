/**
 * Every line an activity logs (its own, and the SDK's "Activity started / completed / failed") carries the
 * release it works for: the SDK already attaches the workflow id and run id, the activity type and the
 * attempt; this adds Ramp's release id, the one the API, the CLI and the dashboard show, so a log search by
 * release id finds the worker's lines too.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { releaseIdOf } from '../domain/release-id.ts';

export const releaseLogContext: ActivityInterceptorsFactory = (context) => {
  const { workflowExecution, workflowType } = context.info;
  const releaseId =
    workflowType === 'release' && workflowExecution
      ? releaseIdOf(workflowExecution.workflowId, workflowExecution.runId)
      : undefined;
  return {
    outbound: {
      getLogAttributes: (input, next) => next(releaseId ? { ...input, releaseId } : input),
    },
  };
};

/** The worker option that installs it (every Ramp worker: release, health-watch and budgeted queues). */
export const activityLogInterceptors = { activity: [releaseLogContext] };
