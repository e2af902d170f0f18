/**
 * Carrying out how a failed release ends: planEnding (src/domain/release-ending.ts) decides, this file
 * rolls back or leaves the alias alone, records why in the status and timeline, and says which outcome
 * and failure type the release ends with.
 */
import { ApplicationFailure, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { FailureType } from '../../domain/failure-types.ts';
import { outcomeAfterRollback, planEnding } from '../../domain/release-ending.ts';
import { plannedWeightsPercent } from '../../domain/release-plan.ts';
import type { ReleaseOutcome, ReleasePhase, ReleaseStatus } from '../../domain/release-status.ts';
import { rampOutcome } from '../../domain/search-attributes.ts';
import type { AliasWriter } from './alias-writer.ts';
import { type Failure, failureOf, stop } from './failures.ts';
import type { Note } from './health-watch.ts';

export interface EndingRelease {
  status: ReleaseStatus;
  writer: AliasWriter;
  alias: string;
  note: Note;
  enter: (phase: ReleasePhase) => void;
  /** The workflow clock as an ISO timestamp. */
  now: () => string;
}

export interface Ended {
  /** What went wrong first. */
  failure: Failure;
  /** The type the workflow fails with: the failure's, or NeedsAttention when a person must act. */
  endType: string;
  outcome: ReleaseOutcome;
}

export async function endFailedRelease(release: EndingRelease, error: unknown): Promise<Ended> {
  const { status, writer } = release;
  const failure: Failure = isCancellation(error)
    ? stop(FailureType.Aborted, 'the release workflow was cancelled').failure
    : failureOf(error);
  const record = (type: string, message: string, details?: Record<string, unknown>) => {
    status.lastError = { type, isRetryable: false, message, ...(details ? { details } : {}) };
  };
  record(failure.type, failure.message, failure.details);
  release.note('error', failure.message, { type: failure.type });

  const ending = planEnding({
    failureType: failure.type,
    guard: typeof failure.details?.guard === 'string' ? failure.details.guard : undefined,
    mayHaveMovedTraffic: writer.mayHaveMovedTraffic,
    hasStableVersion: status.stableVersion !== null,
  });
  let endType = failure.type;
  let outcome: ReleaseOutcome;
  if (ending.action === 'roll_back') {
    const stableVersion = status.stableVersion ?? '';
    release.enter('rolling_back');
    const rollbackError = await writer.rollBack(
      stableVersion,
      status.candidateVersion ?? '',
      plannedWeightsPercent(status.plan ?? { steps: [], promotionRequiresApproval: false }),
      {
        onRoundFailed: (roundFailure, round) => {
          status.lastError = {
            type: roundFailure.type,
            isRetryable: true,
            message: `rolling back to version ${stableVersion}, round ${round} failed (retrying): ${roundFailure.message}`,
            details: { cause: failure.message },
          };
          release.note('rollback_retry', status.lastError.message, { type: roundFailure.type });
        },
      },
    );
    if (rollbackError) {
      endType = FailureType.NeedsAttention;
      const message = `rollback to version ${stableVersion} did not complete: ${rollbackError.message}`;
      record(endType, message, { cause: failure.message, ...rollbackError.details });
      release.note('needs_attention', message);
    } else {
      record(failure.type, failure.message, failure.details);
      status.candidateWeightPercent = 0;
      const found = writer.rollbackFoundStable;
      release.note(
        'rolled_back',
        found
          ? `alias ${release.alias} was already back on stable version ${stableVersion} with no routing (RevisionId ${found.revisionId}${found.isKnown ? '' : ': not a write Ramp saw answered, so its own lost write or someone else rolled it back'}); nothing more to write`
          : `alias ${release.alias} is back on stable version ${stableVersion} with no routing`,
      );
    }
    outcome = outcomeAfterRollback(failure.type, rollbackError === undefined);
  } else {
    outcome = ending.outcome;
    if (ending.reason === 'alias_taken') {
      release.note(
        'alias_left_alone',
        'the alias was changed by someone else; Ramp wrote nothing more to it',
      );
    } else if (ending.reason === 'no_stable_version') {
      endType = FailureType.NeedsAttention;
      const message = `${failure.message}; there is no earlier version to roll back to, so the alias stays on version ${status.candidateVersion}`;
      record(endType, message);
      release.note('needs_attention', message);
    }
  }
  return { failure, endType, outcome };
}

/** Records the outcome: nothing is pending any more, and Temporal's visibility can find it. */
export function finish(
  release: Omit<EndingRelease, 'writer' | 'alias' | 'note'>,
  outcome: ReleaseOutcome,
): void {
  const { status } = release;
  status.outcome = outcome;
  status.awaitingApproval = false;
  status.isPaused = false;
  status.bakeEndsAt = null;
  status.approvalEndsAt = null;
  status.pauseEndsAt = null;
  status.endedAt = release.now();
  release.enter('completed');
  upsertSearchAttributes({ [rampOutcome.name]: [outcome] });
}

/** Ends a failed release (endFailedRelease decides how) and returns the failure the workflow ends with. */
export async function endRelease(release: EndingRelease, error: unknown): Promise<ApplicationFailure> {
  const { failure, endType, outcome } = await endFailedRelease(release, error);
  finish(release, outcome);
  return ApplicationFailure.create({
    type: endType,
    message: `release ${outcome}: ${release.status.lastError?.message ?? failure.message}`,
    nonRetryable: true,
    details: [release.status],
    ...(failure.cause ? { cause: failure.cause } : {}),
  });
}
