/**
 * The one writer of the release's alias (invariant I2). It keeps the alias as Ramp last saw it, guards
 * every write with that RevisionId, and records "traffic may have moved" *before* a write is sent, so a
 * write whose answer is lost, or that a cancellation interrupts, still leads to a rollback (I1).
 *
 * Writes run in non-cancellable scopes: an UpdateAlias already sent lands whatever Temporal's cancel
 * says, so abandoning the wait for it would only hide where traffic is. The rollback re-reads the alias
 * and reverts from any state this release could have produced (see rollBackAlias).
 */
import { CancellationScope, proxyActivities, sleep } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { FailureType } from '../../domain/failure-types.ts';
import { type AliasState, aliasEquals, describeAlias } from '../../domain/lambda-state.ts';
import type { TargetRole } from '../../domain/role-arn.ts';
import { type Failure, failureOf, stop } from './failures.ts';
import {
  controlPlane,
  onQueue,
  rollbackBackoffMs,
  rollbackDeadlineMs,
  rollbackPriority,
  rollbackRound,
} from './options.ts';

const defaultLambda = proxyActivities<ReleaseActivities>(controlPlane);
const defaultRollbackActivities = proxyActivities<ReleaseActivities>(rollbackRound);
/** The rollback's read-back: a control-plane call at the rollback's priority. */
const rollbackReadOptions = { ...controlPlane, priority: rollbackPriority };
const defaultRollbackRead = proxyActivities<ReleaseActivities>(rollbackReadOptions);

/** The alias, and the role a cross-account release acts through (absent without one). */
export interface AliasRef extends TargetRole {
  functionName: string;
  region: string;
  alias: string;
}

export interface RollbackProgress {
  /** Called after each failed round with its error, so the status shows why the rollback still runs. */
  onRoundFailed(failure: Failure, round: number): void;
}

export class AliasWriter {
  /** The alias as Ramp last wrote or read it; null before it exists. */
  alias: AliasState | null = null;
  /** Set before the first write is sent, never cleared. */
  mayHaveMovedTraffic = false;
  /** Whether the rollback found the alias already on stable, and under whose RevisionId. */
  rollbackFoundStable: { revisionId: string; isKnown: boolean } | undefined;
  /** Every RevisionId Ramp's own writes and reads returned, for the rollback to recognise its states. */
  private readonly knownRevisionIds: string[] = [];
  private lambda = defaultLambda;
  private rollbackActivities = defaultRollbackActivities;
  private rollbackRead = defaultRollbackRead;

  constructor(private readonly ref: AliasRef) {}

  /** Sends every alias read and write to the region's budgeted Lambda queue (docs/scale.md). */
  routeTo(lambdaQueue: string): void {
    this.lambda = proxyActivities<ReleaseActivities>(onQueue(controlPlane, lambdaQueue));
    this.rollbackActivities = proxyActivities<ReleaseActivities>(onQueue(rollbackRound, lambdaQueue));
    this.rollbackRead = proxyActivities<ReleaseActivities>(onQueue(rollbackReadOptions, lambdaQueue));
  }

  /** The alias's RevisionId as Ramp last wrote or read it. */
  get revisionId(): string | null {
    return this.alias?.revisionId ?? null;
  }

  /** Takes the alias as read at the start of the release. */
  adopt(alias: AliasState | null): void {
    this.alias = alias;
    if (alias) this.remember(alias);
  }

  async shift(stableVersion: string, candidateVersion: string, weightPercent: number): Promise<void> {
    await this.write(
      stableVersion,
      { [candidateVersion]: weightPercent / 100 },
      `shift to ${weightPercent}%`,
    );
  }

  async promote(candidateVersion: string): Promise<void> {
    await this.write(candidateVersion, {}, 'promote to 100%');
  }

  /** A first release: the alias does not exist yet, so creating it sends all traffic to the version. */
  async create(version: string, description: string | undefined): Promise<void> {
    this.mayHaveMovedTraffic = true;
    const created = await CancellationScope.nonCancellable(() =>
      this.lambda.createAlias({
        ...this.ref,
        functionVersion: version,
        ...(description ? { description } : {}),
      }),
    );
    this.remember(created);
  }

  /**
   * Reads the alias back and requires it to hold `version` alone: `succeeded` is only reported after
   * this (invariant I3). Anything else is someone else's change.
   */
  async verify(version: string, what: string, lambda = this.lambda): Promise<void> {
    const readBack = await CancellationScope.nonCancellable(() => lambda.readAlias(this.ref));
    if (!readBack || !aliasEquals(readBack, version, {})) {
      throw stop(
        FailureType.AliasChangedOutside,
        `after ${what} the alias should be on version ${version} with no routing, but it holds ${describeAlias(readBack)}`,
        { aliasNow: readBack },
      );
    }
    this.remember(readBack);
  }

  /**
   * Puts the alias back on `stableVersion`, round after round until the rollback deadline. Returns
   * undefined once the alias is verified on stable, or the failure that stopped it: a proven outside
   * change at once, anything else only when the deadline has passed.
   */
  rollBack(
    stableVersion: string,
    candidateVersion: string,
    plannedWeightsPercent: number[],
    progress: RollbackProgress,
  ): Promise<Failure | undefined> {
    // Cancelling a release must never cancel its rollback.
    return CancellationScope.nonCancellable(async () => {
      const giveUpAt = Date.now() + rollbackDeadlineMs;
      for (let round = 1; ; round++) {
        try {
          const rolledBack = await this.rollbackActivities.rollBackAlias({
            ...this.ref,
            stableVersion,
            candidateVersion,
            plannedWeightsPercent,
            knownRevisionIds: [...this.knownRevisionIds],
          });
          if (!rolledBack.hasWritten) {
            this.rollbackFoundStable = {
              revisionId: rolledBack.alias.revisionId,
              isKnown: this.knownRevisionIds.includes(rolledBack.alias.revisionId),
            };
          }
          this.remember(rolledBack.alias);
          await this.verify(stableVersion, 'rollback', this.rollbackRead);
          return undefined;
        } catch (error) {
          const failure = failureOf(error);
          const isOutsideChange =
            failure.type === FailureType.Conflict || failure.type === FailureType.AliasChangedOutside;
          if (isOutsideChange || failure.type === FailureType.Internal || Date.now() >= giveUpAt)
            return failure;
          progress.onRoundFailed(failure, round);
          await sleep(rollbackBackoffMs(round));
        }
      }
    });
  }

  private async write(functionVersion: string, weights: Record<string, number>, purpose: string) {
    const alias = this.alias;
    if (!alias) throw stop(FailureType.InvalidState, `the alias was written (${purpose}) before it was read`);
    this.mayHaveMovedTraffic = true;
    const written = await CancellationScope.nonCancellable(() =>
      this.lambda.updateAlias({
        ...this.ref,
        functionVersion,
        additionalVersionWeights: weights,
        revisionId: alias.revisionId,
        purpose,
      }),
    );
    this.remember(written);
  }

  private remember(alias: AliasState): void {
    this.alias = alias;
    if (!this.knownRevisionIds.includes(alias.revisionId)) this.knownRevisionIds.push(alias.revisionId);
  }
}
