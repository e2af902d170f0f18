/**
 * How a failed release ends: whether Ramp must put the alias back on the stable version, and which
 * outcome it reports. Pure, so every combination is tested without Temporal; the workflow only carries
 * out the decision.
 *
 * The rule behind it (invariant I1): once traffic may have moved, the release may only end with the
 * alias 100 % on one version. Ramp reverts it unless the alias now belongs to someone else (their change
 * is never overwritten, invariant I2), or there is no earlier version to revert to.
 */
import { FailureType } from './failure-types.ts';
import { outcomeForFailure } from './release-state.ts';
import type { ReleaseOutcome } from './release-status.ts';

export interface EndingFacts {
  /** The failure's type (FailureType). */
  failureType: string;
  /** For conflicts: which guard failed (`aliasRevisionId`, `functionRevisionId`, `codeSha256`). */
  guard?: string | undefined;
  /**
   * Whether an alias write may have landed: set *before* each write is sent, so a write whose answer
   * was lost, or that a cancellation interrupted, still counts.
   */
  mayHaveMovedTraffic: boolean;
  /** Whether the alias had a version before the release (a first release has none). */
  hasStableVersion: boolean;
}

export type EndingPlan =
  | { action: 'roll_back' }
  | {
      action: 'end';
      outcome: ReleaseOutcome;
      /** Why no rollback: nothing moved, the alias is someone else's now, or there is nothing to return to. */
      reason: 'nothing_moved' | 'alias_taken' | 'no_stable_version';
    };

export function isAliasTaken(facts: Pick<EndingFacts, 'failureType' | 'guard'>): boolean {
  return (
    facts.failureType === FailureType.AliasChangedOutside ||
    (facts.failureType === FailureType.Conflict && facts.guard === 'aliasRevisionId')
  );
}

export function planEnding(facts: EndingFacts): EndingPlan {
  if (facts.failureType === FailureType.Rejected)
    return { action: 'end', outcome: 'rejected', reason: 'nothing_moved' };
  if (isAliasTaken(facts)) return { action: 'end', outcome: 'conflict', reason: 'alias_taken' };
  if (!facts.mayHaveMovedTraffic)
    return { action: 'end', outcome: outcomeForFailure(facts.failureType, false), reason: 'nothing_moved' };
  if (!facts.hasStableVersion)
    return { action: 'end', outcome: 'needs_attention', reason: 'no_stable_version' };
  return { action: 'roll_back' };
}

/** The outcome once a rollback was tried: back on stable, or a person must look. */
export function outcomeAfterRollback(failureType: string, isRolledBack: boolean): ReleaseOutcome {
  return isRolledBack ? outcomeForFailure(failureType, true) : 'needs_attention';
}
