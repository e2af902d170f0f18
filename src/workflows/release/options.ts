/**
 * Activity options, named by the class of work. Temporal's retry policy is the one source of retries
 * (the AWS clients make a single attempt); each class says what it retries and for how long.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { FailureType, nonRetryableFailureTypes } from '../../domain/failure-types.ts';
import { hookActivityTimeouts } from '../../domain/hook-timeouts.ts';

const retryUntilDeadline = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: nonRetryableFailureTypes,
};

/** Single Lambda control-plane calls. Throttling is retried (honouring Retry-After) until the deadline. */
export const controlPlane = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '30m',
  retry: retryUntilDeadline,
} satisfies ActivityOptions;

/**
 * A lookup in the worker's own settings, run as a local activity: no I/O, so a short timeout and a few
 * quick retries (a worker restarting mid-task is the only thing that fails it).
 */
export const workerLookup = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumAttempts: 5, nonRetryableErrorTypes: nonRetryableFailureTypes },
} satisfies LocalActivityOptions;

/**
 * The same options on another task queue: the region's budgeted Lambda queue. Without one, the options as
 * they are (the workflow's own queue), so releases that do not route keep the very same commands.
 */
export function onQueue(options: ActivityOptions, taskQueue: string | undefined): ActivityOptions {
  return taskQueue ? { ...options, taskQueue } : options;
}

/** Waiting for an update to settle: long, heartbeating (a lost worker is noticed within 30 s). */
export function polling(updateTimeoutMs: number): ActivityOptions {
  return {
    // The activity gives up by itself at updateTimeoutMs with Lambda's last status; this is the backstop.
    startToCloseTimeout: updateTimeoutMs + 60_000,
    heartbeatTimeout: '30s',
    retry: retryUntilDeadline,
  };
}

/** The long-running health monitor: heartbeats at least every 5 s, so a lost worker is noticed within 15 s. */
export function monitoring(watchMs: number): ActivityOptions {
  return {
    startToCloseTimeout: Math.max(0, watchMs) + 5 * 60_000,
    heartbeatTimeout: '15s',
    retry: retryUntilDeadline,
  };
}

/**
 * Putting the alias back goes first. The Temporal server orders a task queue's backlog by priority key
 * (1 highest … 5 lowest, 3 the default; the server's `matching.useNewMatcher`, on in every server Ramp
 * starts, docs/scale.md), so a rollback's Lambda calls are dispatched ahead of every other release's
 * calls waiting in the budgeted queue: hundreds of releases starting at once never delay a rollback.
 */
export const rollbackPriority = { priorityKey: 1 };

/**
 * One round of putting the alias back on the stable version. Everything is retried except a proven
 * outside change (Conflict) or a bug in Ramp; the workflow repeats rounds until the rollback's deadline,
 * showing each round's last error in the status, so a person can fix (say) IAM and watch it complete.
 */
export const rollbackRound = {
  priority: rollbackPriority,
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '2m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '15s',
    nonRetryableErrorTypes: [FailureType.Conflict, FailureType.AliasChangedOutside, FailureType.Internal],
  },
} satisfies ActivityOptions;

/** How long a rollback keeps trying before it hands over to a person (needs_attention). */
export const rollbackDeadlineMs = 24 * 60 * 60_000;

/** Pause between rollback rounds: short at first, then at most every 2 minutes. */
export function rollbackBackoffMs(round: number): number {
  return Math.min(120_000, 2_000 * 2 ** Math.max(0, round - 1));
}

/**
 * A validation hook runs under its own timeout. The activity's start-to-close outlasts it (see
 * hookActivityTimeouts), so Temporal never starts a second attempt while the first call may still run:
 * a hook never runs twice at once. The hook call itself is aborted at its timeout.
 */
export function hookCall(hookTimeoutMs: number): ActivityOptions {
  const timeouts = hookActivityTimeouts(hookTimeoutMs);
  return {
    startToCloseTimeout: timeouts.startToCloseMs,
    heartbeatTimeout: timeouts.heartbeatTimeoutMs,
    scheduleToCloseTimeout: 3 * timeouts.startToCloseMs + 60_000,
    retry: retryUntilDeadline,
  };
}

/** A round of probes before traffic moves: long enough for the round and its last probe, heartbeating. */
export function probeRound(roundMs: number, probeTimeoutMs: number): ActivityOptions {
  return {
    startToCloseTimeout: roundMs + probeTimeoutMs + 60_000,
    heartbeatTimeout: '15s',
    scheduleToCloseTimeout: 3 * (roundMs + probeTimeoutMs + 60_000),
    retry: retryUntilDeadline,
  };
}
