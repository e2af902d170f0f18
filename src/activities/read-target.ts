import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import type { FunctionTarget } from '../domain/lambda-state.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { fetchAlias } from './read-alias.ts';

export interface TargetRef {
  functionName: string;
  region: string;
  alias: string;
}

/** Reads the function and its alias once at the start: the alias's version is the stable one to return to. */
export function createReadTarget(deps: ActivityDeps) {
  return async function readTarget(input: TargetRef): Promise<FunctionTarget> {
    const lambda = deps.aws.lambda(input.region);
    try {
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: input.functionName }));
      const configuration = fn.Configuration ?? {};
      return {
        functionArn: configuration.FunctionArn ?? '',
        revisionId: configuration.RevisionId ?? '',
        codeSha256: configuration.CodeSha256 ?? '',
        state: configuration.State,
        lastUpdateStatus: configuration.LastUpdateStatus,
        alias: await fetchAlias(lambda, input.functionName, input.alias),
      };
    } catch (error) {
      throw activityFailure('GetFunction', error);
    }
  };
}
