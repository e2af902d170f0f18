/**
 * The train's activity options, named by the class of work. Retries live in Temporal's policy only.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../../domain/failure-types.ts';
import { controlPlane, monitoring } from '../release/options.ts';

/** One Lambda or Temporal call (read an alias, send a control update to a child): a release's control-plane class. */
export const trainCall = controlPlane;

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

/** Watching a promoted wave's health: one heartbeating monitor per target, as a release's bake. */
export const watching = monitoring;
