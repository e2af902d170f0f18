import { CreateAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { FailureType } from '../domain/failure-types.ts';
import { type AliasState, aliasEquals, describeAlias } from '../domain/lambda-state.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { aliasWriteDuration } from '../observability/metrics.ts';
import { activityFailure, classify, conflictFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { aliasStateOf, readTargetAlias } from './read-alias.ts';
import { roleSessionOf } from './role-session.ts';

export interface AliasRef extends TargetRole {
  functionName: string;
  region: string;
  alias: string;
}

export interface SetAliasInput extends AliasRef {
  functionVersion: string;
  /** version → fraction (0.0–1.0); `{}` clears the routing (promotion, rollback). */
  additionalVersionWeights: Record<string, number>;
  /** The alias's RevisionId as Ramp last left it: never overwrite someone else's change. */
  revisionId: string;
  /** What this write is for, in the conflict message (`shift to 10%`, `roll back`, …). */
  purpose: string;
}

export interface RollBackInput extends AliasRef {
  stableVersion: string;
  candidateVersion: string;
  /** Every candidate weight (percent) the release's plan may set, 100 included. */
  plannedWeightsPercent: number[];
  /** RevisionIds of alias states Ramp itself wrote or read during this release. */
  knownRevisionIds: string[];
}

/**
 * Whether the alias is in a state this release itself could have left it in: the stable version with
 * the candidate at a planned weight, or the candidate at 100 %. A write whose answer was lost (or that
 * a cancellation interrupted) leaves such a state under a RevisionId Ramp never saw.
 */
export function isStateRampCouldProduce(alias: AliasState, input: RollBackInput): boolean {
  const weights = Object.entries(alias.additionalVersionWeights).filter(([, weight]) => weight > 0);
  if (alias.functionVersion === input.candidateVersion) return weights.length === 0;
  if (alias.functionVersion !== input.stableVersion) return false;
  return weights.every(
    ([version, weight]) =>
      version === input.candidateVersion &&
      input.plannedWeightsPercent.some((percent) => Math.abs(percent / 100 - weight) < 1e-9),
  );
}

export interface RollBackResult {
  alias: AliasState;
  /** False when the alias was already on the stable version alone (an earlier round, or someone else). */
  hasWritten: boolean;
}

const isOnlyOn = (alias: AliasState, version: string) => aliasEquals(alias, version, {});

/** How many times a rollback re-reads and rewrites when its own write races another of Ramp's. */
const rollbackRereads = 3;

export interface CreateAliasInput extends AliasRef {
  functionVersion: string;
  description?: string;
}

export function createAliasActivities(deps: ActivityDeps) {
  return {
    async readAlias(input: AliasRef): Promise<AliasState | null> {
      return readTargetAlias(deps.aws, input);
    },

    async updateAlias(input: SetAliasInput): Promise<AliasState> {
      const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
      // From the first attempt, so the figure includes throttling and retries.
      const scheduledAt = Context.current().info.scheduledTimestampMs;
      const observe = () =>
        aliasWriteDuration.observe(
          { purpose: input.purpose.split(' ')[0] ?? 'write' },
          (Date.now() - scheduledAt) / 1000,
        );
      try {
        const updated = aliasStateOf(
          await lambda.send(
            new UpdateAliasCommand({
              FunctionName: input.functionName,
              Name: input.alias,
              FunctionVersion: input.functionVersion,
              RoutingConfig: { AdditionalVersionWeights: input.additionalVersionWeights },
              RevisionId: input.revisionId,
            }),
          ),
        );
        observe();
        return updated;
      } catch (error) {
        if (classify(error).type !== FailureType.Conflict)
          throw activityFailure(`UpdateAlias (${input.purpose})`, error);
        // UpdateAlias rotates the alias's RevisionId, so a retry after a lost response fails its own guard:
        // if the alias already holds exactly what this write asked for, the earlier attempt landed.
        const current = await readTargetAlias(deps.aws, input);
        if (
          Context.current().info.attempt > 1 &&
          current &&
          aliasEquals(current, input.functionVersion, input.additionalVersionWeights)
        ) {
          observe();
          return current;
        }
        throw conflictFailure(
          `UpdateAlias (${input.purpose})`,
          {
            guard: 'aliasRevisionId',
            expected: input.revisionId,
            found: current?.revisionId,
            leftInPlace: `Ramp wrote nothing more to the alias; it now holds ${describeAlias(current)}.`,
          },
          { aliasNow: current },
        );
      }
    },

    /**
     * Puts the alias back on the stable version from any state this release could have produced. It
     * never trusts the RevisionId the workflow last saw (a cancelled or answer-lost write may have moved
     * the alias since): it reads the alias, and writes under the RevisionId it just read when the state
     * is Ramp's own. Only a state Ramp could not have produced is someone else's change (a Conflict, the
     * one failure a rollback does not retry).
     */
    async rollBackAlias(input: RollBackInput): Promise<RollBackResult> {
      const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
      const scheduledAt = Context.current().info.scheduledTimestampMs;
      const observe = () =>
        aliasWriteDuration.observe({ purpose: 'roll' }, (Date.now() - scheduledAt) / 1000);
      for (let read = 1; ; read++) {
        const current = await readTargetAlias(deps.aws, input);
        if (current && isOnlyOn(current, input.stableVersion)) return { alias: current, hasWritten: false };
        const isOurs =
          current !== null &&
          (input.knownRevisionIds.includes(current.revisionId) || isStateRampCouldProduce(current, input));
        if (!isOurs) {
          throw conflictFailure(
            'UpdateAlias (roll back)',
            {
              guard: 'aliasRevisionId',
              expected: `a state of this release (version ${input.stableVersion} with version ${input.candidateVersion} at a planned weight, or version ${input.candidateVersion} alone)`,
              found: current ? describeAlias(current) : 'no alias',
              leftInPlace: `Ramp did not roll back over someone else's change; the alias holds ${describeAlias(current)}.`,
            },
            { aliasNow: current },
          );
        }
        try {
          const rolledBack = aliasStateOf(
            await lambda.send(
              new UpdateAliasCommand({
                FunctionName: input.functionName,
                Name: input.alias,
                FunctionVersion: input.stableVersion,
                RoutingConfig: { AdditionalVersionWeights: {} },
                RevisionId: current.revisionId,
              }),
            ),
          );
          observe();
          return { alias: rolledBack, hasWritten: true };
        } catch (error) {
          // 412: the alias moved between our read and our write. Read again; the loop decides whose move.
          if (classify(error).type !== FailureType.Conflict || read >= rollbackRereads)
            throw activityFailure('UpdateAlias (roll back)', error);
        }
      }
    },

    async createAlias(input: CreateAliasInput): Promise<AliasState> {
      const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
      try {
        return aliasStateOf(
          await lambda.send(
            new CreateAliasCommand({
              FunctionName: input.functionName,
              Name: input.alias,
              FunctionVersion: input.functionVersion,
              ...(input.description ? { Description: input.description } : {}),
            }),
          ),
        );
      } catch (error) {
        if (classify(error).type !== FailureType.Conflict) throw activityFailure('CreateAlias', error);
        // 409 "Alias already exists": ours from a lost response, or someone else's alias.
        const current = await readTargetAlias(deps.aws, input);
        if (Context.current().info.attempt > 1 && current && aliasEquals(current, input.functionVersion, {}))
          return current;
        throw conflictFailure(
          'CreateAlias',
          {
            guard: 'aliasRevisionId',
            expected: '(no alias)',
            found: current?.revisionId,
            leftInPlace: `Someone else created the alias; Ramp left it as it is: ${describeAlias(current)}.`,
          },
          { aliasNow: current },
        );
      }
    },
  };
}
