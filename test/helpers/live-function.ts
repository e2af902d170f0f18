/**
 * A team's existing function, as tests and benchmarks arrange it: a first published version behind the
 * alias `live`, with code marked `marker` so its builds can be told apart.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  type LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { zipWith } from './release-stack.ts';

export async function createLiveFunction(
  lambda: LambdaClient,
  name: string,
  marker = `${name}-v1`,
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/lambda-role',
      Handler: 'index.handler',
      Code: { ZipFile: zipWith({}, marker) },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}
