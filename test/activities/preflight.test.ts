import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createPreflight,
  type PreflightInput,
  type PreflightResult,
} from '../../src/activities/preflight.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import type { HealthConfig } from '../../src/domain/health-spec.ts';
import { alwaysHealthy } from '../../src/health/health-gate.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { role, withSim, zipOf } from '../sim/fixtures.ts';

const zipCode = { kind: 'staged' as const, key: 'k', codeSha256: 'abc=', sizeBytes: 10 };
const health = (overrides: Partial<HealthConfig> = {}): HealthConfig => ({
  intervalMs: 10_000,
  alarms: [],
  preexistingAlarms: 'ignore',
  ...overrides,
});

async function createFunction(
  lambda: LambdaClient,
  name: string,
  options: { alias?: string; aliasVersion?: string } = {},
) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zipOf() },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
  if (options.alias) {
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: name,
        Name: options.alias,
        FunctionVersion: options.aliasVersion ?? '1',
      }),
    );
  }
}

function errorsAlarm(sim: Simulator, name: string) {
  sim.alarms.put({
    name,
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: 'hello' },
    statistic: 'Sum',
    threshold: 1,
    comparison: 'GreaterThanThreshold',
    periodSeconds: 60,
    evaluationPeriods: 1,
  });
}

async function runPreflight(sim: Simulator, input: Omit<PreflightInput, 'region'>): Promise<PreflightResult> {
  const preflight = createPreflight({
    aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
    artifacts: createFileArtifactStore('/nonexistent'),
    healthGate: alwaysHealthy,
  });
  return new MockActivityEnvironment().run(preflight, {
    region: 'us-east-1',
    ...input,
  }) as Promise<PreflightResult>;
}

const checksOf = (result: PreflightResult) => result.problems.map((problem) => problem.check).sort();

describe('preflight', () => {
  test('a sound release has no problems, no warning when health is watched, and returns what it read: the release starts from it', async () => {
    await withSim({}, async (sim, lambda) => {
      await createFunction(lambda, 'hello', { alias: 'live' });
      await createFunction(lambda, 'hello-check');
      errorsAlarm(sim, 'hello-errors');
      const result = await runPreflight(sim, {
        functionName: 'hello',
        alias: 'live',
        code: zipCode,
        health: health({
          alarms: ['hello-errors'],
          hooks: { beforeTraffic: { lambda: 'hello-check' }, timeoutMs: 60_000 },
        }),
      });
      const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello' }));
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'hello', Name: 'live' }));
      assert.deepEqual(result, {
        problems: [],
        warnings: [],
        target: {
          functionArn: fn.FunctionArn,
          revisionId: fn.RevisionId,
          codeSha256: fn.CodeSha256,
          state: 'Active',
          lastUpdateStatus: 'Successful',
          alias: { functionVersion: '1', additionalVersionWeights: {}, revisionId: alias.RevisionId },
        },
      });
    });
  });

  test('lists every problem at once: a misspelled alarm by name, a mistyped alias, a package type mismatch and a missing hook function', async () => {
    await withSim({}, async (sim, lambda) => {
      await createFunction(lambda, 'hello', { alias: 'live' });
      errorsAlarm(sim, 'hello-errors');
      const calls = sim.calls().length;
      const result = await runPreflight(sim, {
        functionName: 'hello',
        alias: 'staging',
        code: { kind: 'image', imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:2' },
        health: health({
          alarms: ['hello-errors', 'hello-errrors'],
          hooks: { afterTraffic: { lambda: 'hello-smoke' }, timeoutMs: 60_000 },
        }),
      });
      assert.deepEqual(checksOf(result), ['alarms', 'alias', 'hooks', 'packageType']);
      const message = (check: string) =>
        result.problems.find((problem) => problem.check === check)?.message ?? '';
      assert.match(message('alarms'), /no CloudWatch alarm named hello-errrors in us-east-1$/);
      assert.match(message('alias'), /alias staging does not exist on hello \(its aliases: live\)/);
      assert.match(message('alias'), /createAlias: true/);
      assert.match(message('packageType'), /packaged as a \.zip file, but the release gives an image/);
      assert.match(message('hooks'), /afterTraffic hook's function hello-smoke does not exist/);
      // Read-only: no call that writes, and one DescribeAlarms for all the names.
      const made = sim.calls().slice(calls);
      assert.deepEqual(
        made.filter((call) => !/^(Get|List|Describe)/.test(call.operation)),
        [],
      );
      assert.equal(made.filter((call) => call.operation === 'DescribeAlarms').length, 1);
    });
  });

  test('a function that does not exist is a problem, not an exception; a missing alias is fine when createAlias is asked for', async () => {
    await withSim({}, async (sim, lambda) => {
      const missing = await runPreflight(sim, { functionName: 'nope', alias: 'live', code: zipCode });
      assert.deepEqual(checksOf(missing), ['function']);
      assert.match(missing.problems[0]?.message ?? '', /function nope does not exist in us-east-1/);
      assert.equal(missing.target, undefined);

      await createFunction(lambda, 'fresh');
      const created = await runPreflight(sim, {
        functionName: 'fresh',
        alias: 'live',
        code: zipCode,
        createAlias: true,
        health: health({ alarms: [] }),
      });
      assert.deepEqual(created.problems, []);
      assert.equal(created.target?.alias, null, 'no alias yet: a first release');
    });
  });

  test('an alias on $LATEST is refused, saying why', async () => {
    await withSim({}, async (sim, lambda) => {
      await createFunction(lambda, 'hello', { alias: 'live', aliasVersion: '$LATEST' });
      const result = await runPreflight(sim, { functionName: 'hello', alias: 'live', code: zipCode });
      assert.deepEqual(checksOf(result), ['aliasTarget']);
      assert.match(result.problems[0]?.message ?? '', /points at \$LATEST/);
      assert.match(result.problems[0]?.message ?? '', /100% of its traffic at once/);
      assert.match(result.problems[0]?.message ?? '', /no stable version to roll back to/);
    });
  });

  test('a hook function whose own Timeout outlasts the hook timeout gets a warning: Lambda runs it on after Ramp stops waiting', async () => {
    await withSim({}, async (sim, lambda) => {
      await createFunction(lambda, 'hello', { alias: 'live' });
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'slow-check',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf() },
          Timeout: 120,
        }),
      );
      const result = await runPreflight(sim, {
        functionName: 'hello',
        alias: 'live',
        code: zipCode,
        health: health({ hooks: { beforeTraffic: { lambda: 'slow-check' }, timeoutMs: 60_000 } }),
      });
      assert.deepEqual(result.problems, []);
      assert.equal(result.warnings.length, 1);
      assert.match(
        result.warnings[0] ?? '',
        /slow-check may run for 120 s \(its Timeout\), longer than the hook timeout of 60 s/,
      );
    });
  });

  test('a throttled read is thrown as the retryable Throttled failure, not reported as a problem', async () => {
    await withSim({}, async (sim, lambda) => {
      await createFunction(lambda, 'hello', { alias: 'live' });
      sim.faults.throttle({ operation: 'GetAlias', count: 1 });
      const failure = await runPreflight(sim, { functionName: 'hello', alias: 'live', code: zipCode }).catch(
        (error: unknown) => error,
      );
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, 'Throttled');
      assert.equal(failure.nonRetryable, false);
    });
  });
});
