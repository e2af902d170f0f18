import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { role, withSim, zipOf } from './fixtures.ts';

const deployer = 'arn:aws:iam::222222222222:role/ramp/ramp-deployer';

async function createFunction(lambda: LambdaClient, name: string, marker: string) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zipOf({}, marker) },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
}

const invocationsOf = async (cloudWatch: CloudWatchClient, fn: string, now: number) =>
  (
    await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now + 60_000),
        MetricDataQueries: [
          {
            Id: 'inv',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Invocations',
                Dimensions: [{ Name: 'FunctionName', Value: fn }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    )
  ).MetricDataResults?.[0]?.Values ?? [];

describe('STS AssumeRole in the simulator, through the real SDK', () => {
  test("credentials from AssumeRole act in the role's account: its own functions, ARNs and metrics", async () => {
    await withSim(
      { roles: [{ roleArn: deployer, externalId: 'ramp-2026' }] },
      async (sim, lambda, cloudWatch) => {
        const sts = new STSClient({ ...sim.clientConfig, maxAttempts: 1 });
        const assumed = await sts.send(
          new AssumeRoleCommand({
            RoleArn: deployer,
            RoleSessionName: 'ramp-release-42',
            ExternalId: 'ramp-2026',
            DurationSeconds: 900,
          }),
        );
        sts.destroy();
        const credentials = assumed.Credentials;
        assert.match(credentials?.AccessKeyId ?? '', /^ASIA[0-9A-F]{16}$/);
        assert.ok(credentials?.SecretAccessKey && credentials.SessionToken);
        assert.equal(
          credentials?.Expiration?.getTime(),
          Math.floor((sim.clock.now() + 900_000) / 1000) * 1000,
        );
        assert.equal(
          assumed.AssumedRoleUser?.Arn,
          'arn:aws:sts::222222222222:assumed-role/ramp-deployer/ramp-release-42',
        );
        assert.match(assumed.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[0-9A-Z]+:ramp-release-42$/);

        const asRole = {
          ...sim.clientConfig,
          credentials: {
            accessKeyId: credentials?.AccessKeyId ?? '',
            secretAccessKey: credentials?.SecretAccessKey ?? '',
            sessionToken: credentials?.SessionToken ?? '',
          },
          maxAttempts: 1,
        };
        const lambdaAsRole = new LambdaClient(asRole);
        const cloudWatchAsRole = new CloudWatchClient(asRole);
        try {
          // The same name in both accounts: two functions, each with its own code.
          await createFunction(lambda, 'payments', 'ours');
          await createFunction(lambdaAsRole, 'payments', 'theirs');
          const ours = await lambda.send(new GetFunctionCommand({ FunctionName: 'payments' }));
          const theirs = await lambdaAsRole.send(new GetFunctionCommand({ FunctionName: 'payments' }));
          assert.equal(
            ours.Configuration?.FunctionArn,
            'arn:aws:lambda:us-east-1:123456789012:function:payments',
          );
          assert.equal(
            theirs.Configuration?.FunctionArn,
            'arn:aws:lambda:us-east-1:222222222222:function:payments',
          );
          assert.notEqual(ours.Configuration?.CodeSha256, theirs.Configuration?.CodeSha256);

          await lambdaAsRole.send(new InvokeCommand({ FunctionName: 'payments', Qualifier: '1' }));
          await lambdaAsRole.send(new InvokeCommand({ FunctionName: 'payments', Qualifier: '1' }));
          await lambda.send(new InvokeCommand({ FunctionName: 'payments', Qualifier: '1' }));
          const now = sim.clock.now();
          assert.deepEqual(await invocationsOf(cloudWatchAsRole, 'payments', now), [2], "the role's account");
          assert.deepEqual(await invocationsOf(cloudWatch, 'payments', now), [1], 'our own account');

          const assumeCall = sim.calls().find((call) => call.operation === 'AssumeRole');
          assert.equal(assumeCall?.status, 200);
          assert.equal(assumeCall?.request.RoleSessionName, 'ramp-release-42');
        } finally {
          lambdaAsRole.destroy();
          cloudWatchAsRole.destroy();
        }
      },
    );
  });

  test("GetCallerIdentity names the credentials' account: the simulator's own, or an assumed role's", async () => {
    await withSim({ roles: [{ roleArn: deployer }] }, async (sim) => {
      const sts = new STSClient({ ...sim.clientConfig, maxAttempts: 1 });
      try {
        const own = await sts.send(new GetCallerIdentityCommand({}));
        assert.equal(own.Account, '123456789012');
        assert.equal(own.Arn, 'arn:aws:iam::123456789012:user/ramp');
        const assumed = await sts.send(
          new AssumeRoleCommand({ RoleArn: deployer, RoleSessionName: 'ramp-worker' }),
        );
        const asRole = new STSClient({
          ...sim.clientConfig,
          credentials: {
            accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
            secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
            sessionToken: assumed.Credentials?.SessionToken ?? '',
          },
          maxAttempts: 1,
        });
        const theirs = await asRole.send(new GetCallerIdentityCommand({}));
        asRole.destroy();
        assert.equal(theirs.Account, '222222222222');
        assert.equal(theirs.Arn, 'arn:aws:sts::222222222222:assumed-role/ramp-deployer/ramp-worker');
      } finally {
        sts.destroy();
      }
    });
  });

  test('a role that is not declared, a wrong ExternalId and a bad session name are refused as STS words them', async () => {
    await withSim({ roles: [{ roleArn: deployer, externalId: 'ramp-2026' }] }, async (sim) => {
      const sts = new STSClient({ ...sim.clientConfig, maxAttempts: 1 });
      const refusal = (input: ConstructorParameters<typeof AssumeRoleCommand>[0]) =>
        sts.send(new AssumeRoleCommand(input)).catch((error: unknown) => error);
      try {
        const unknown = await refusal({
          RoleArn: 'arn:aws:iam::222222222222:role/nobody',
          RoleSessionName: 'ramp',
        });
        assert.ok(unknown instanceof STSServiceException);
        assert.equal(unknown.name, 'AccessDenied');
        assert.equal(unknown.$metadata.httpStatusCode, 403);
        assert.match(
          unknown.message,
          /not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role\/nobody/,
        );

        const wrongExternalId = await refusal({
          RoleArn: deployer,
          RoleSessionName: 'ramp',
          ExternalId: 'guess',
        });
        assert.ok(wrongExternalId instanceof STSServiceException);
        assert.equal(wrongExternalId.name, 'AccessDenied');

        const shortSession = await refusal({
          RoleArn: deployer,
          RoleSessionName: 'r',
          ExternalId: 'ramp-2026',
        });
        assert.ok(shortSession instanceof STSServiceException);
        assert.equal(shortSession.name, 'ValidationError');
        assert.equal(shortSession.$metadata.httpStatusCode, 400);
      } finally {
        sts.destroy();
      }
    });
  });

  test('the SDK finds the simulator through AWS_ENDPOINT_URL_STS, and roles can be declared over the control API', async () => {
    await withSim({}, async (sim) => {
      const declared = await fetch(`${sim.endpoint}/_sim/roles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ roleArn: 'arn:aws:iam::333333333333:role/deployer' }),
      });
      assert.equal(declared.status, 201);
      process.env.AWS_ENDPOINT_URL_STS = sim.endpoint;
      try {
        const sts = new STSClient({ region: 'us-east-1', credentials: sim.clientConfig.credentials });
        const assumed = await sts.send(
          new AssumeRoleCommand({
            RoleArn: 'arn:aws:iam::333333333333:role/deployer',
            RoleSessionName: 'env',
          }),
        );
        sts.destroy();
        assert.equal(assumed.AssumedRoleUser?.Arn, 'arn:aws:sts::333333333333:assumed-role/deployer/env');
      } finally {
        delete process.env.AWS_ENDPOINT_URL_STS;
      }
    });
  });
});
