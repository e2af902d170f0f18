/**
 * The role sessions of cross-account releases (src/aws/assume-role.ts, lambda-clients.ts) against the
 * simulator's STS through the real SDK: one AssumeRole per session shared by its clients, refreshed before the
 * credentials expire, failures classified once and never remembered, and STS found through AWS_ENDPOINT_URL_STS.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, GetFunctionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { assumedRoleCredentials, RoleAssumptionError } from '../../src/aws/assume-role.ts';
import { classifyAwsError } from '../../src/aws/classify-error.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { FailureType } from '../../src/domain/failure-types.ts';
import { type Simulator, startSimulator } from '../../src/sim/index.ts';
import { role as lambdaRole, zipOf } from '../sim/fixtures.ts';

const roleArn = 'arn:aws:iam::222222222222:role/ramp-deployer';
const session = { roleArn, externalId: 'ext-1', sessionName: 'us-east-1.orders.live.run-1' };

async function withStsSim(body: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ updateDelayMs: 10, seed: 3, metricDelayMs: 0 });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

const assumeRoleCalls = (sim: Simulator) => sim.calls().filter((call) => call.operation === 'AssumeRole');

describe('role sessions', () => {
  test("one AssumeRole per session, shared by its Lambda and CloudWatch clients in every region; the default clients act in the worker's own account", async () => {
    await withStsSim(async (sim) => {
      sim.roles.put({ roleArn, externalId: 'ext-1' });
      const aws = createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials });
      const lambda = aws.lambda('us-east-1', session);
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'only-in-222',
          Runtime: 'nodejs20.x',
          Role: lambdaRole,
          Handler: 'index.handler',
          Code: { ZipFile: zipOf({}, 'x') },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'only-in-222' },
      );
      const fn = await aws
        .lambda('us-east-1', session)
        .send(new GetFunctionCommand({ FunctionName: 'only-in-222' }));
      assert.match(fn.Configuration?.FunctionArn ?? '', /:222222222222:function:only-in-222$/);
      await aws.cloudWatch('us-east-1', session).send(new DescribeAlarmsCommand({}));
      await aws
        .lambda('eu-west-1', session)
        .send(new GetFunctionCommand({ FunctionName: 'only-in-222' }))
        .catch(() => undefined);
      assert.equal(assumeRoleCalls(sim).length, 1, 'one session, one AssumeRole');
      assert.equal(assumeRoleCalls(sim)[0]?.request.RoleSessionName, session.sessionName);
      assert.equal(assumeRoleCalls(sim)[0]?.request.ExternalId, 'ext-1');

      // Another release is another session (its own name in CloudTrail).
      await aws
        .cloudWatch('us-east-1', { ...session, sessionName: 'us-east-1.orders.live.run-2' })
        .send(new DescribeAlarmsCommand({}));
      assert.equal(assumeRoleCalls(sim).length, 2);

      // Without a role: the worker's own account, where the function does not exist.
      await assert.rejects(
        aws.lambda('us-east-1').send(new GetFunctionCommand({ FunctionName: 'only-in-222' })),
        {
          name: 'ResourceNotFoundException',
        },
      );
      assert.equal(assumeRoleCalls(sim).length, 2);
    });
  });

  test('credentials are assumed again only when they are about to expire', async () => {
    await withStsSim(async (sim) => {
      sim.roles.put({ roleArn, externalId: 'ext-1' });
      let now = Date.now();
      const provider = assumedRoleCredentials(
        session,
        { region: 'us-east-1', endpoint: sim.endpoint, masterCredentials: sim.clientConfig.credentials },
        () => now,
      );
      const first = await provider();
      assert.ok(first.expiration);
      const expiresAt = first.expiration.getTime();
      now = expiresAt - 10 * 60_000;
      assert.equal((await provider()).accessKeyId, first.accessKeyId, 'ten minutes before expiry: the same');
      now = expiresAt - 4 * 60_000;
      const refreshed = await provider();
      assert.notEqual(refreshed.accessKeyId, first.accessKeyId, 'four minutes before expiry: refreshed');
      assert.equal(assumeRoleCalls(sim).length, 2);
    });
  });

  test('a role that cannot be assumed is AccessDenied naming the role, terminal, and not remembered: once the trust is fixed it works', async () => {
    await withStsSim(async (sim) => {
      sim.roles.put({ roleArn, externalId: 'the-right-one' });
      const aws = createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials });
      const error = await aws
        .lambda('us-east-1', session)
        .send(new GetFunctionCommand({ FunctionName: 'x' }))
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      const classified = classifyAwsError(error);
      assert.equal(classified.type, FailureType.AccessDenied);
      assert.equal(classified.awsErrorName, 'AccessDenied');
      assert.match(classified.message, new RegExp(`cannot assume role ${roleArn} \\(with an ExternalId\\)`));
      assert.match(classified.message, /trust policy/);

      sim.roles.put({ roleArn, externalId: 'ext-1' });
      await assert.rejects(
        aws.lambda('us-east-1', session).send(new GetFunctionCommand({ FunctionName: 'x' })),
        {
          name: 'ResourceNotFoundException',
        },
      );
    });
  });

  test('a throttled AssumeRole is retried (Throttled), not terminal, and still names the role', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const wrapped = classifyAwsError(new RoleAssumptionError(roleArn, false, throttled));
    assert.equal(wrapped.type, FailureType.Throttled);
    assert.match(
      wrapped.message,
      /cannot assume role .*ramp-deployer \(without an ExternalId\): Throttling: Rate exceeded$/,
    );
  });

  test('STS is found through AWS_ENDPOINT_URL_STS, like Lambda through AWS_ENDPOINT_URL_LAMBDA', async () => {
    await withStsSim(async (sim) => {
      sim.roles.put({ roleArn, externalId: 'ext-1' });
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_STS: sim.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: sim.endpoint,
        AWS_ACCESS_KEY_ID: sim.clientConfig.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: sim.clientConfig.credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
      });
      try {
        const aws = createAwsClients();
        await assert.rejects(
          aws.lambda('us-east-1', session).send(new GetFunctionCommand({ FunctionName: 'x' })),
          {
            name: 'ResourceNotFoundException',
          },
        );
        assert.equal(assumeRoleCalls(sim).length, 1);
      } finally {
        process.env = saved;
      }
    });
  });
});
