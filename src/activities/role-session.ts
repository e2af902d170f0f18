import { Context } from '@temporalio/activity';
import type { AssumedRole } from '../aws/lambda-clients.ts';
import { releaseIdOf } from '../domain/release-id.ts';
import { roleSessionNameOf, type TargetRole } from '../domain/role-arn.ts';

const shortenedLogged = new Set<string>();

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
  const sessionName = roleSessionNameOf(actor);
  if (sessionName !== actor && !shortenedLogged.has(sessionName)) {
    // STS allows 64 characters: a longer release id is shortened, so say once which release the name stands for.
    if (shortenedLogged.size >= 10_000) shortenedLogged.clear();
    shortenedLogged.add(sessionName);
    Context.current().log.info('role session name stands for a longer release id', {
      roleArn: input.roleArn,
      sessionName,
      releaseId: actor,
    });
  }
  return {
    roleArn: input.roleArn,
    ...(input.externalId ? { externalId: input.externalId } : {}),
    sessionName,
  };
}
