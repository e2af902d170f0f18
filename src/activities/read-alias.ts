import { type AliasConfiguration, GetAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { classifyAwsError } from '../aws/classify-error.ts';
import type { AwsClients } from '../aws/lambda-clients.ts';
import { FailureType } from '../domain/failure-types.ts';
import type { AliasState } from '../domain/lambda-state.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { activityFailure } from './activity-failure.ts';
import { roleSessionOf } from './role-session.ts';

export function aliasStateOf(alias: AliasConfiguration): AliasState {
  return {
    functionVersion: alias.FunctionVersion ?? '',
    additionalVersionWeights: { ...(alias.RoutingConfig?.AdditionalVersionWeights ?? {}) },
    revisionId: alias.RevisionId ?? '',
  };
}

/** The alias as Lambda holds it now, or null when it does not exist. */
export async function fetchAlias(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
): Promise<AliasState | null> {
  try {
    return aliasStateOf(await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias })));
  } catch (error) {
    if (classifyAwsError(error).type === FailureType.NotFound) return null;
    throw error;
  }
}

/**
 * The alias a release or a train acts on, read with the target's role session (its own account's when it
 * has no role), or null when it does not exist; any other error is the activity's GetAlias failure.
 */
export async function readTargetAlias(
  aws: AwsClients,
  input: TargetRole & { functionName: string; region: string; alias: string },
): Promise<AliasState | null> {
  try {
    return await fetchAlias(aws.lambda(input.region, roleSessionOf(input)), input.functionName, input.alias);
  } catch (error) {
    throw activityFailure('GetAlias', error);
  }
}
