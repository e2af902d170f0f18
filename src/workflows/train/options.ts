/**
 * The train's activity options, named by the class of work. Retries live in Temporal's policy only.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { FailureType, nonRetryableFailureTypes } from '../../domain/failure-types.ts';

const retryUntilDeadline = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: nonRetryableFailureTypes,
};

/** One Lambda or Temporal call (read an alias, send a control update to a child). */
export const trainCall = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '30m',
  retry: retryUntilDeadline,
} satisfies ActivityOptions;

/**
 * Putting a promoted target back: retried for a day (a person can fix IAM meanwhile) except on a proven
 * outside change or a bug; then the target needs attention.
 */
export const trainRollback = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    nonRetryableErrorTypes: [FailureType.Conflict, FailureType.AliasChangedOutside, FailureType.Internal],
  },
} satisfies ActivityOptions;

/** Watching a promoted wave's health: one heartbeating monitor per target for the whole watch. */
export function watching(watchMs: number): ActivityOptions {
  return {
    startToCloseTimeout: Math.max(0, watchMs) + 5 * 60_000,
    heartbeatTimeout: '15s',
    retry: retryUntilDeadline,
  };
}
