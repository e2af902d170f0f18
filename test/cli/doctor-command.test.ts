/**
 * `ramp doctor` as a user runs it: the real command in its own process, the real SDK pointed at the simulator
 * through the standard endpoint settings, and its answer read from the table it prints and its exit code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { type Simulator, startSimulator } from '../../src/sim/index.ts';
import { runCli } from '../helpers/cli.ts';
import { zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';

const targetRole = 'arn:aws:iam::222222222222:role/ramp-target';

let sim: Simulator;
let lambda: LambdaClient;

async function createTarget(client: LambdaClient, name: string, alias = 'live'): Promise<void> {
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: 'arn:aws:iam::123456789012:role/r',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zipWith() },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
  await client.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }));
}

function doctor(args: string[]) {
  return runCli(['doctor', ...args], {
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_LAMBDA: sim.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: sim.endpoint,
      AWS_ENDPOINT_URL_STS: sim.endpoint,
    },
  });
}

/** The table row whose first column is `check`, split into its columns. */
function rowOf(stdout: string, check: string): string {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${check}  `));
  assert.ok(line, `a row for ${check} in:\n${stdout}`);
  return line;
}

describe('ramp doctor', () => {
  before(async () => {
    sim = await startSimulator({
      updateDelayMs: 50,
      roles: [{ roleArn: targetRole, externalId: 'ramp-2026' }],
    });
    lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
  });
  after(async () => {
    lambda.destroy();
    await sim.close();
  });

  test('a healthy target: every check is ok, the table says a release could run, and the exit code is 0', async () => {
    const fn = uniqueName('doctor');
    await createTarget(lambda, fn);
    sim.alarms.put({
      name: `${fn}-errors`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: fn, Resource: `${fn}:live` },
      statistic: 'Sum',
      threshold: 10,
      comparison: 'GreaterThanThreshold',
      periodSeconds: 60,
      evaluationPeriods: 1,
    });
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));

    const run = await doctor(['--function', fn, '--alias', 'live', '--alarm', `${fn}-errors`]);

    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^CHECK\s+RESULT\s+IAM ACTION\s+DETAIL$/m);
    for (const [check, action] of <const>[
      ['function', 'lambda:GetFunction'],
      ['alias', 'lambda:GetAlias'],
      ['versions', 'lambda:ListVersionsByFunction'],
      ['alarms', 'cloudwatch:DescribeAlarms'],
      ['metrics', 'cloudwatch:GetMetricData'],
      ['update code (dry run)', 'lambda:UpdateFunctionCode'],
    ]) {
      assert.match(
        rowOf(run.stdout, check),
        new RegExp(`^${check.replace(/[()]/g, '\\$&')}\\s+ok\\s+${action}\\s`),
      );
    }
    assert.match(rowOf(run.stdout, 'alias'), /live → version 1/);
    assert.match(run.stdout, /lambda:PublishVersion, lambda:UpdateAlias/);
    assert.match(run.stdout, /A release could run\./);

    // The dry run was sent, and left the function as it was.
    const dryRun = sim
      .calls()
      .find((call) => call.operation === 'UpdateFunctionCode' && call.functionName === fn);
    assert.equal(dryRun?.request.DryRun, true);
    assert.equal(dryRun?.status, 200);
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    assert.equal(after.RevisionId, before.RevisionId);
    assert.equal(after.CodeSha256, before.CodeSha256);
    assert.equal(after.LastModified, before.LastModified);
  });

  test('a missing function: its row says so, the checks that need it are skipped, and the exit code is 1', async () => {
    const run = await doctor(['--function', 'no-such-function', '--alias', 'live']);

    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(
      rowOf(run.stdout, 'function'),
      /missing\s+lambda:GetFunction\s+function no-such-function does not exist in us-east-1/,
    );
    assert.match(rowOf(run.stdout, 'update code (dry run)'), /skipped/);
    assert.match(run.stdout, /A release could not run: fix function\./);
  });

  test('a missing alias or alarm: its row says what is missing, and the exit code is 1', async () => {
    const fn = uniqueName('doctor-alias');
    await createTarget(lambda, fn, 'blue');

    const run = await doctor(['--function', fn, '--alias', 'live', '--alarm', 'nobody-made-this']);

    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(rowOf(run.stdout, 'alias'), /missing\s+lambda:GetAlias\s+alias live does not exist on/);
    assert.match(
      rowOf(run.stdout, 'alarms'),
      /missing\s+cloudwatch:DescribeAlarms\s+no alarm named nobody-made-this/,
    );
    assert.match(rowOf(run.stdout, 'function'), /ok/);

    const withCreate = await doctor(['--function', fn, '--alias', 'live', '--create-alias']);
    assert.equal(withCreate.status, 0, withCreate.stdout);
    assert.match(rowOf(withCreate.stdout, 'alias'), /ok\s+lambda:GetAlias\s+live does not exist yet/);
  });

  test('UpdateFunctionCode denied: the dry run row names lambda:UpdateFunctionCode to grant, and the exit code is 1', async () => {
    const fn = uniqueName('doctor-denied');
    await createTarget(lambda, fn);
    const denial = sim.faults.accessDenied({ operation: 'UpdateFunctionCode', functionName: fn });
    try {
      const run = await doctor(['--function', fn, '--alias', 'live']);

      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(
        rowOf(run.stdout, 'update code (dry run)'),
        /missing\s+lambda:UpdateFunctionCode\s+access denied: grant lambda:UpdateFunctionCode/,
      );
      assert.match(rowOf(run.stdout, 'function'), /ok/);
      assert.match(run.stdout, /A release could not run: fix update code \(dry run\)\./);
    } finally {
      denial.remove();
    }
  });

  test('DescribeAlarms denied without --alarm is reported but optional; with --alarm it stops a release', async () => {
    const fn = uniqueName('doctor-alarms');
    await createTarget(lambda, fn);
    const denial = sim.faults.accessDenied({ operation: 'DescribeAlarms' });
    try {
      const optional = await doctor(['--function', fn, '--alias', 'live']);
      assert.equal(optional.status, 0, optional.stdout);
      assert.match(
        rowOf(optional.stdout, 'alarms'),
        /missing \(optional\)\s+cloudwatch:DescribeAlarms\s+access denied: grant cloudwatch:DescribeAlarms/,
      );

      const required = await doctor(['--function', fn, '--alias', 'live', '--alarm', `${fn}-errors`]);
      assert.equal(required.status, 1, required.stdout);
      assert.match(rowOf(required.stdout, 'alarms'), /^alarms\s+missing\s+cloudwatch:DescribeAlarms/);
    } finally {
      denial.remove();
    }
  });

  test('an image function is dry-run with its own ImageUri, and --json prints the rows for scripts', async () => {
    const fn = uniqueName('doctor-image');
    const imageUri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1';
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        Role: 'arn:aws:iam::123456789012:role/r',
        PackageType: 'Image',
        Code: { ImageUri: imageUri },
        Publish: true,
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: fn });
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1' }));

    const run = await doctor(['--function', fn, '--alias', 'live', '--json']);

    assert.equal(run.status, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as {
      isReleasable: boolean;
      checks: { check: string; result: string; iamAction: string }[];
    };
    assert.equal(report.isReleasable, true);
    assert.deepEqual(
      report.checks.map((row) => [row.check, row.result]),
      [
        ['function', 'ok'],
        ['alias', 'ok'],
        ['versions', 'ok'],
        ['alarms', 'ok'],
        ['metrics', 'ok'],
        ['update code (dry run)', 'ok'],
      ],
    );
    const dryRun = sim
      .calls()
      .find((call) => call.operation === 'UpdateFunctionCode' && call.functionName === fn);
    assert.equal(dryRun?.request.ImageUri, imageUri);
    assert.equal(dryRun?.request.DryRun, true);
  });

  test('--role-arn checks the target in the role’s account; a role that cannot be assumed is its own row', async () => {
    const fn = uniqueName('doctor-role');
    const asRole = new LambdaClient({
      ...sim.clientConfig,
      maxAttempts: 1,
      credentials: fromTemporaryCredentials({
        params: { RoleArn: targetRole, RoleSessionName: 'test-setup', ExternalId: 'ramp-2026' },
        clientConfig: { ...sim.clientConfig },
      }),
    });
    try {
      // Only the role's account holds the function.
      await createTarget(asRole, fn);
    } finally {
      asRole.destroy();
    }

    const ours = await doctor(['--function', fn, '--alias', 'live']);
    assert.equal(ours.status, 1, 'not in our own account');

    const run = await doctor([
      '--function',
      fn,
      '--alias',
      'live',
      '--role-arn',
      targetRole,
      '--external-id',
      'ramp-2026',
    ]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`in us-east-1 as ${targetRole}`));
    assert.match(rowOf(run.stdout, 'assume role'), /ok\s+sts:AssumeRole/);
    assert.match(rowOf(run.stdout, 'update code (dry run)'), /ok/);

    const wrongId = await doctor([
      '--function',
      fn,
      '--alias',
      'live',
      '--role-arn',
      targetRole,
      '--external-id',
      'wrong',
    ]);
    assert.equal(wrongId.status, 1, wrongId.stdout);
    assert.match(rowOf(wrongId.stdout, 'assume role'), /missing\s+sts:AssumeRole\s+cannot assume/);
    assert.doesNotMatch(wrongId.stdout, /^function\s/m, 'nothing else is checked as the wrong identity');
  });
});
