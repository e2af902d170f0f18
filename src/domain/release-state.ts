/**
 * The release's status as pure data and the rules on it: which control requests the current state allows,
 * how failures map to outcomes, how the timeline grows. The workflow wires these to handlers; tests run
 * them without Temporal.
 */
import { FailureType } from './failure-types.ts';
import type { ReleaseOutcome, ReleasePhase, ReleaseStatus, TimelineEntry } from './release-status.ts';

export const controlActions = ['pause', 'resume', 'approve', 'promote', 'abort'] as const;
export type ControlAction = (typeof controlActions)[number];

export interface ControlRequest {
  /** Who asks (token name, CLI user), for the timeline and audit. */
  by?: string;
  reason?: string;
  /** Promote only: skip every remaining step and go to 100 % (without it, promote moves to the next step). */
  full?: boolean;
}

/** Decisions that earlier control requests made and that later ones must not contradict. */
export interface ControlDecisions {
  abort?: ControlRequest | undefined;
  promote?: ControlRequest | undefined;
}

/** `by alice: reason`, for messages about a request. */
export function describeRequest(request: ControlRequest): string {
  return `${request.by ? ` by ${request.by}` : ''}${request.reason ? `: ${request.reason}` : ''}`;
}

/** A long release keeps a bounded status: the first entries (how it began) and the most recent ones. */
export const maxTimelineEntries = 400;

export function initialStatus(fields: {
  releaseId: string;
  functionName: string;
  alias: string;
  region: string;
  stepCount: number;
  startedAt: string;
}): ReleaseStatus {
  return {
    ...fields,
    phase: 'starting',
    outcome: null,
    isPaused: false,
    stableVersion: null,
    candidateVersion: null,
    candidateWeightPercent: 0,
    stepIndex: 0,
    bakeEndsAt: null,
    awaitingApproval: false,
    endedAt: null,
    timeline: [],
    lastError: null,
  };
}

export function appendTimeline(status: ReleaseStatus, entry: TimelineEntry): void {
  status.timeline.push(entry);
  if (status.timeline.length > maxTimelineEntries) {
    const keepHead = 20;
    status.timeline.splice(keepHead, status.timeline.length - maxTimelineEntries);
  }
}

const ending: readonly ReleasePhase[] = ['promoting', 'rolling_back', 'completed'];

/**
 * Why `action` is not allowed now, or undefined when it is. The API answers 409 with this text.
 * A request that contradicts an earlier decision is refused rather than silently overriding it, with one
 * exception: an abort may overtake a promotion that has not happened yet, because stopping is always safe.
 */
export function controlProblem(
  status: ReleaseStatus,
  action: ControlAction,
  decisions: ControlDecisions = {},
): string | undefined {
  if (status.outcome !== null) return `the release has already ended (outcome: ${status.outcome})`;
  if (ending.includes(status.phase))
    return `the release is ${status.phase.replace('_', ' ')}; it can no longer be changed`;
  if (decisions.abort)
    return `the release was already aborted${describeRequest(decisions.abort)}; it is rolling back`;
  if (decisions.promote?.full && action !== 'abort')
    return `a full promotion was already requested${describeRequest(decisions.promote)}; only abort can stop it now`;
  if (decisions.promote && action === 'promote')
    return `a promotion to the next step was already requested${describeRequest(decisions.promote)}`;
  switch (action) {
    case 'pause':
      return status.isPaused ? 'the release is already paused' : undefined;
    case 'resume':
      return status.isPaused ? undefined : 'the release is not paused';
    case 'approve':
      return status.awaitingApproval ? undefined : 'the release is not waiting for an approval';
    case 'promote':
    case 'abort':
      return undefined;
  }
}

const stopsOnPurpose: readonly string[] = [
  FailureType.Aborted,
  FailureType.Unhealthy,
  FailureType.ApprovalTimedOut,
  FailureType.PauseTimedOut,
];

/** The outcome a terminal failure leads to, given whether a rollback restored the stable version. */
export function outcomeForFailure(type: string, isRolledBack: boolean): ReleaseOutcome {
  if (type === FailureType.NeedsAttention) return 'needs_attention';
  if (type === FailureType.Rejected) return 'rejected';
  // A release stopped on purpose (abort, unhealthy, no approval) leaves the alias on the stable version,
  // whether traffic had moved (and was rolled back) or not.
  if (isRolledBack || stopsOnPurpose.includes(type)) return 'rolled_back';
  if (type === FailureType.Conflict || type === FailureType.AliasChangedOutside) return 'conflict';
  return 'failed';
}
