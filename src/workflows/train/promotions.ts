/**
 * What the train remembers of each promoted target: the version it went from and to, and the alias's
 * RevisionId as Ramp's promotion left it. A train rollback writes only over that RevisionId, newest
 * promotion first; an alias someone changed since is reported and left alone.
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import type { TrainActivities } from '../../activities/train-activities.ts';
import { aliasEquals, describeAlias } from '../../domain/lambda-state.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import type { TrainTargetStatus } from '../../domain/train-status.ts';
import { trainCall, trainRollback } from './options.ts';

const lambda = proxyActivities<ReleaseActivities>(trainCall);
const rollback = proxyActivities<TrainActivities>(trainRollback);

export interface Promotion {
  key: string;
  input: ReleaseInput;
  target: TrainTargetStatus;
  /** Null when the release created the alias or found it already on the version: nothing to go back to. */
  previousVersion: string | null;
  promotedVersion: string;
  /** The alias's RevisionId right after the promotion; null when it no longer held the promotion then. */
  revisionId: string | null;
  promotedAt: string;
}

export type Note = (event: string, message: string, details?: Record<string, unknown>) => void;

export class Promotions {
  private readonly order: Promotion[] = [];

  constructor(private readonly note: Note) {}

  /**
   * Records a target whose release succeeded. The alias is read once, at once: if it still holds exactly
   * the promoted version under the RevisionId the release's read-back reported (`aliasRevisionId`), that
   * RevisionId is the one the promotion left; anything else is an outside change since.
   */
  async record(
    key: string,
    input: ReleaseInput,
    target: TrainTargetStatus,
    released: ReleaseStatus,
    at: string,
  ) {
    const promotedVersion = released.candidateVersion ?? '';
    const previousVersion =
      released.stableVersion && released.stableVersion !== promotedVersion ? released.stableVersion : null;
    let revisionId: string | null = null;
    if (previousVersion) {
      const alias = await lambda.readAlias({
        functionName: input.functionName,
        region: input.region,
        alias: input.alias,
        ...roleFieldsOf(input),
      });
      // The release reports the RevisionId its read-back found (releases since that field): any other
      // RevisionId, even on the promoted version, is a write since, not Ramp's.
      const isAsPromoted =
        alias !== null &&
        aliasEquals(alias, promotedVersion, {}) &&
        (released.aliasRevisionId == null || released.aliasRevisionId === alias.revisionId);
      if (alias && isAsPromoted) revisionId = alias.revisionId;
      else
        this.note(
          'outside_change',
          `${label(target)}: right after its promotion the alias holds ${describeAlias(alias)}`,
        );
    }
    this.order.push({ key, input, target, previousVersion, promotedVersion, revisionId, promotedAt: at });
  }

  /** Promotions that moved an alias and are still in place, in the order they happened. */
  inPlace(): Promotion[] {
    return this.order.filter((p) => p.previousVersion !== null && p.target.outcome === 'succeeded');
  }

  /** Puts each promotion back, newest first. Never cancelled: a cancelled train still finishes its rollback. */
  revert(promotions: Promotion[]): Promise<void> {
    return CancellationScope.nonCancellable(async () => {
      for (const promotion of [...promotions].reverse()) await this.revertOne(promotion);
    });
  }

  private async revertOne(promotion: Promotion): Promise<void> {
    const { target, input } = promotion;
    if (promotion.previousVersion === null) return;
    target.phase = 'rolling_back';
    if (promotion.revisionId === null) {
      target.outcome = 'conflict';
      target.phase = 'completed';
      target.message = 'the alias changed right after the promotion; the train left it as it is';
      this.note('conflict', `${label(target)}: ${target.message}`);
      return;
    }
    try {
      const result = await rollback.revertPromotion({
        functionName: input.functionName,
        region: input.region,
        alias: input.alias,
        ...roleFieldsOf(input),
        promotedVersion: promotion.promotedVersion,
        previousVersion: promotion.previousVersion,
        revisionId: promotion.revisionId,
      });
      target.outcome = result.status === 'rolled_back' ? 'rolled_back' : 'conflict';
      target.message = result.message;
      if (result.status === 'rolled_back') target.candidateWeightPercent = 0;
      this.note(
        result.status === 'rolled_back' ? 'target_rolled_back' : 'conflict',
        `${label(target)}: ${result.message}`,
      );
    } catch (error) {
      target.outcome = 'needs_attention';
      target.message = `the train could not put the alias back on version ${promotion.previousVersion}: ${error instanceof Error ? error.message : String(error)}`;
      this.note('needs_attention', `${label(target)}: ${target.message}`);
    }
    target.phase = 'completed';
  }
}

export function label(target: TrainTargetStatus): string {
  return `${target.function}:${target.alias} (${target.region})`;
}
