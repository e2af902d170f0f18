/**
 * The release workflow's public control surface: its query, its updates and its patch ids. The API and
 * the CLI import only this file, so they use the very definitions the workflow handles. Names are
 * recorded in histories: never rename one.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ControlAction, ControlRequest } from '../../domain/release-state.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';

/**
 * What a control update answers: that the request was taken, and the few fields it changed. The whole
 * status (with its timeline) is the `status` query's job; releases started before the release-safety
 * patch still answer with their whole status, which has these fields too.
 */
export interface ControlAck {
  action?: ControlAction;
  phase: ReleaseStatus['phase'];
  isPaused: boolean;
  awaitingApproval: boolean;
  candidateWeightPercent: number;
  stepIndex: number;
}

export const statusQuery = defineQuery<ReleaseStatus>('status');
export const pauseUpdate = defineUpdate<ControlAck, [ControlRequest]>('pause');
export const resumeUpdate = defineUpdate<ControlAck, [ControlRequest]>('resume');
export const approveUpdate = defineUpdate<ControlAck, [ControlRequest]>('approve');
export const promoteUpdate = defineUpdate<ControlAck, [ControlRequest]>('promote');
export const abortUpdate = defineUpdate<ControlAck, [ControlRequest]>('abort');
export const controlUpdates = {
  pause: pauseUpdate,
  resume: resumeUpdate,
  approve: approveUpdate,
  promote: promoteUpdate,
  abort: abortUpdate,
} as const satisfies Record<ControlAction, unknown>;

/**
 * Patch ids, in the order they were introduced. Each guards a change that running releases recorded
 * before it must not see; the replay test covers histories from before and after each.
 */
/** v2: one long-running health monitor per bake instead of one check after it. */
export const healthMonitorPatch = 'ramp-health-monitor-v1';
/**
 * v3, the release-safety restructure: preflight, a recorded plan, health watched whenever traffic is on
 * the candidate, alias writes that are never abandoned, a rollback that re-reads, read-back before every
 * success, bounded pauses and update waits, contradiction-free controls, promote to the next step.
 * Releases recorded before it run the v1/v2 code in `legacy.ts`.
 */
export const releaseSafetyPatch = 'ramp-release-safety-v3';
/**
 * v3n: notifications (src/workflows/release/notifier.ts): a release that ends with some still queued
 * starts a detached `notificationOutbox` child and completes. Asked only by releases whose input has
 * notify targets, so releases without any record no marker and run exactly as before.
 */
export const notificationsPatch = 'ramp-notifications-v1';
/**
 * v4: the Lambda calls that count against the account's shared control-plane quota (every one but
 * GetFunction) run on the release region's budgeted task queue, which the Temporal server rate-limits
 * across all workers (docs/scale.md). Releases recorded before it keep every activity on their own queue.
 */
export const lambdaBudgetPatch = 'ramp-lambda-budget-v4';
/**
 * v5: the long-running health monitor runs on the release queue's health-watch queue (`<queue>/health`),
 * which workers poll with slots of its own sized for thousands of I/O-idle watches (RAMP_WORKER_WATCH_SLOTS),
 * so baking releases never hold the slots the short control-plane activities need (docs/scale.md). Releases
 * recorded before it watch on their own queue.
 */
export const healthWatchQueuePatch = 'ramp-health-watch-queue-v5';
/**
 * The outbox's input is capped (`maxOutboxInputBytes`): a hand-over over the cap drops the oldest queued
 * events between each queue's head and its newest, and says so in the timeline. Asked only when a hand-over
 * is over the cap, which no recorded history is.
 */
export const outboxCapPatch = 'ramp-notification-outbox-cap-v1';
/**
 * v6: the sequential judge (src/health/sequential-judge.ts) judges the metrics of new releases, or the one
 * their spec names (`health.metrics.judge`). Asked once, when the release starts, and only by releases
 * with metrics, so a release keeps the judge it began with across a worker upgrade, and releases without
 * metrics record no marker.
 */
export const sequentialJudgePatch = 'ramp-sequential-judge-v6';
/**
 * v6p: synthetic probes before traffic (health.probes): after the candidate is published and before the
 * first shift, a round of probes of the candidate and stable versions (the `probeBeforeTraffic` activity)
 * stops the release, alias untouched, when the candidate fails it. Asked only by releases whose spec has
 * probes, so releases without them record no marker and run exactly as before.
 */
export const preTrafficProbesPatch = 'ramp-pre-traffic-probes-v6';
/**
 * v7, a lean start: where the budgeted Lambda calls go is asked of the worker running the release as a
 * local activity (a marker, not an activity task and a workflow task of its own), and the preflight's reads
 * of the function and its alias are the release's starting point, so `readTarget` is not called: two
 * activity tasks, two workflow tasks and one budgeted GetAlias fewer per release. Releases recorded before
 * it start as they did.
 */
export const leanStartPatch = 'ramp-lean-start-v7';
