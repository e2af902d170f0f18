import { type FunctionConfiguration, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import type { FunctionTarget } from '../domain/lambda-state.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { fetchAlias } from './read-alias.ts';
import { roleSessionOf } from './role-session.ts';

export interface TargetRef extends TargetRole {
  functionName: string;
  region: string;
  alias: string;
}

type FunctionRead = Omit<FunctionTarget, 'alias'>;

/** What a release keeps of a function's configuration as its starting point. */
export function functionReadOf(configuration: FunctionConfiguration): FunctionRead {
  return {
    functionArn: configuration.FunctionArn ?? '',
    revisionId: configuration.RevisionId ?? '',
    codeSha256: configuration.CodeSha256 ?? '',
    state: configuration.State,
    lastUpdateStatus: configuration.LastUpdateStatus,
  };
}

/**
 * Reads the function and its alias once at the start: the alias's version is the stable one to return to.
 * Two calls in one activity: the function read is kept in heartbeat details, so a retry after the alias
 * read was throttled does not read the function again (under a throttling storm, needing both calls to
 * pass in the same attempt would multiply the retries).
 */
export function createReadTarget(deps: ActivityDeps) {
  return async function readTarget(input: TargetRef): Promise<FunctionTarget> {
    const context = Context.current();
    const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
    let read = context.info.heartbeatDetails as FunctionRead | undefined;
    if (!read) {
      try {
        const fn = await lambda.send(new GetFunctionCommand({ FunctionName: input.functionName }));
        read = functionReadOf(fn.Configuration ?? {});
      } catch (error) {
        throw activityFailure('GetFunction', error);
      }
      context.heartbeat(read);
    }
    try {
      return { ...read, alias: await fetchAlias(lambda, input.functionName, input.alias) };
    } catch (error) {
      throw activityFailure('GetAlias', error);
    }
  };
}
