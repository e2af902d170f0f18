/**
 * Two accounts in one simulator for cross-account tests: the simulator's own, and 222222222222, reached through
 * a role its STS lets callers assume (with an ExternalId), each holding a function of the same name.
 */
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Simulator } from '../../src/sim/index.ts';
import { createLiveFunction } from './live-function.ts';
import type { ReleaseStack } from './release-stack.ts';

export const targetAccount = '222222222222';
export const roleArn = `arn:aws:iam::${targetAccount}:role/ramp-deployer`;
export const externalId = 'ramp-test-2026';

/** A Lambda client acting in the role's account, as the test's own view of it. */
export function targetLambda(sim: Simulator): LambdaClient {
  return new LambdaClient({
    ...sim.clientConfig,
    maxAttempts: 1,
    credentials: fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'test-setup', ExternalId: externalId },
      masterCredentials: sim.clientConfig.credentials,
      clientConfig: { region: sim.clientConfig.region, endpoint: sim.endpoint },
    }),
  });
}

/** Both accounts hold `name:live` on version 1; the default account's is untouched by what follows. */
export async function twoAccounts(stack: ReleaseStack, name: string) {
  stack.sim.roles.put({ roleArn, externalId });
  const target = targetLambda(stack.sim);
  await stack.createFunctionWithAlias(name, 'live');
  await createLiveFunction(target, name, `${name}-in-${targetAccount}`);
  const before = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  return {
    target,
    defaultSha: before.Configuration?.CodeSha256,
    defaultRevision: before.Configuration?.RevisionId,
  };
}
