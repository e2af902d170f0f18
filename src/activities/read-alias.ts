import { type AliasConfiguration, GetAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { classifyAwsError } from '../aws/classify-error.ts';
import { FailureType } from '../domain/failure-types.ts';
import type { AliasState } from '../domain/lambda-state.ts';

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
