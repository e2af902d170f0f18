import { Context } from '@temporalio/activity';
import type { AssumedRole } from '../aws/lambda-clients.ts';
import { releaseIdOf } from '../domain/release-id.ts';
import { roleSessionNameOf, type TargetRole } from '../domain/role-arn.ts';

/**
 * The role session an activity's AWS calls act through: the input's role (a cross-account release), with the
 * STS session name derived from the id of the workflow that scheduled the activity (the release, or the
 * train), so CloudTrail in the target account names the release. Undefined without a role: the worker's own
 * credentials.
 */
export function roleSessionOf(input: TargetRole): AssumedRole | undefined {
  if (!input.roleArn) return undefined;
  const { workflowExecution, activityId } = Context.current().info;
  const actor = workflowExecution
    ? releaseIdOf(workflowExecution.workflowId, workflowExecution.runId)
    : `activity-${activityId}`;
  return {
    roleArn: input.roleArn,
    ...(input.externalId ? { externalId: input.externalId } : {}),
    sessionName: roleSessionNameOf(actor),
  };
}
