/**
 * The activities a train needs beyond a release's own: controlling its child releases (a workflow
 * cannot send an update to another workflow, so an activity does, through the Temporal client) and
 * putting a promoted target back on its previous version under the RevisionId Ramp's promotion left.
 */
import { UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { AwsClients } from '../aws/lambda-clients.ts';
import { FailureType } from '../domain/failure-types.ts';
import { type AliasState, aliasEquals, describeAlias } from '../domain/lambda-state.ts';
import type { ControlRequest } from '../domain/release-state.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { executeUpdateSurvivingTaskFailure } from '../temporal/execute-update.ts';
import { activityFailure, classify } from './activity-failure.ts';
import { aliasStateOf, readTargetAlias } from './read-alias.ts';
import { roleSessionOf } from './role-session.ts';

export interface TrainActivityDeps {
  aws: AwsClients;
  /** The Temporal client the worker holds, to send control updates to a train's child releases. */
  temporal: Client;
}

export interface ControlChildInput {
  workflowId: string;
  runId: string;
  /** The release workflow's update names (public API, never renamed). */
  action: 'pause' | 'resume' | 'abort';
  request: ControlRequest;
}

export interface ControlChildResult {
  isApplied: boolean;
  /** Why not, when the release refused (already ended, already paused…). */
  message: string;
}

export interface RevertPromotionInput extends TargetRole {
  functionName: string;
  region: string;
  alias: string;
  promotedVersion: string;
  previousVersion: string;
  /** The alias's RevisionId as Ramp's promotion left it: anything else is someone else's change. */
  revisionId: string;
}

export interface RevertPromotionResult {
  status: 'rolled_back' | 'conflict';
  alias: AliasState | null;
  message: string;
}

export function createTrainActivities(deps: TrainActivityDeps) {
  const conflict = (input: RevertPromotionInput, alias: AliasState | null): RevertPromotionResult => ({
    status: 'conflict',
    alias,
    message: `the alias changed since Ramp promoted version ${input.promotedVersion} (RevisionId ${input.revisionId}): it holds ${describeAlias(alias)}; Ramp left it as it is`,
  });

  return {
    async controlChildRelease(input: ControlChildInput): Promise<ControlChildResult> {
      const handle = deps.temporal.workflow.getHandle(input.workflowId, input.runId);
      try {
        await executeUpdateSurvivingTaskFailure(handle, input.action, input.request);
        return { isApplied: true, message: `${input.action} taken` };
      } catch (error) {
        // The release refused (its validator) or has ended: the train reads its outcome anyway.
        if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) {
          const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
          return { isApplied: false, message: cause?.message ?? error.message };
        }
        throw error;
      }
    },

    /**
     * Puts a promoted alias back on its previous version, only if it still holds the RevisionId Ramp's
     * promotion left. An alias someone changed since is reported, never overwritten.
     */
    async revertPromotion(input: RevertPromotionInput): Promise<RevertPromotionResult> {
      const current = await readTargetAlias(deps.aws, input);
      if (current && aliasEquals(current, input.previousVersion, {})) {
        return {
          status: 'rolled_back',
          alias: current,
          message: `already on version ${input.previousVersion}`,
        };
      }
      if (!current || current.revisionId !== input.revisionId) return conflict(input, current);
      try {
        const reverted = aliasStateOf(
          await deps.aws.lambda(input.region, roleSessionOf(input)).send(
            new UpdateAliasCommand({
              FunctionName: input.functionName,
              Name: input.alias,
              FunctionVersion: input.previousVersion,
              RoutingConfig: { AdditionalVersionWeights: {} },
              RevisionId: input.revisionId,
            }),
          ),
        );
        return {
          status: 'rolled_back',
          alias: reverted,
          message: `version ${input.promotedVersion} → ${input.previousVersion}`,
        };
      } catch (error) {
        if (classify(error).type !== FailureType.Conflict)
          throw activityFailure('UpdateAlias (train rollback)', error);
        // 412: the alias moved between the read and the write. Ours only if an earlier attempt landed.
        const after = await readTargetAlias(deps.aws, input);
        if (Context.current().info.attempt > 1 && after && aliasEquals(after, input.previousVersion, {}))
          return {
            status: 'rolled_back',
            alias: after,
            message: `version ${input.promotedVersion} → ${input.previousVersion}`,
          };
        return conflict(input, after);
      }
    },
  };
}

export type TrainActivities = ReturnType<typeof createTrainActivities>;
