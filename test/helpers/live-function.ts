/**
 * A team's existing function, as tests and benchmarks arrange it: a first published version behind the
 * alias `live`, with code marked `marker` so its builds can be told apart.
 */
import { CreateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { createActiveFunction, zipWith } from './release-stack.ts';

export async function createLiveFunction(
  lambda: LambdaClient,
  name: string,
  marker = `${name}-v1`,
): Promise<void> {
  await createActiveFunction(lambda, name, zipWith({}, marker));
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}
