import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  ServiceException,
  TooManyRequestsException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { createCanary as canary, eventually, role, TestClock, withSim, zipOf as zip } from './fixtures.ts';

describe('simulator traffic, metrics and alarms', () => {
  test('traffic through an alias with a bad candidate moves that version’s Errors metric and flips an alarm', async () => {
    await withSim({}, async (sim, lambda, cloudWatch) => {
      await canary(lambda, 'pay', { errorRate: 0.8 }, 0.5);
      sim.alarms.put({
        name: 'pay-canary-errors',
        metricName: 'Errors',
        dimensions: { FunctionName: 'pay', Resource: 'pay:live', ExecutedVersion: '2' },
        statistic: 'Sum',
        threshold: 5,
        comparison: 'GreaterThanThreshold',
        periodSeconds: 10,
        evaluationPeriods: 1,
      });
      const start = new Date(sim.clock.now() - 1000);
      const traffic = sim.traffic.start({ functionName: 'pay', qualifier: 'live', ratePerSecond: 100 });
      const alarm = await eventually(
        () => cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['pay-canary-errors'] })),
        (r) => r.MetricAlarms?.[0]?.StateValue === 'ALARM',
      );
      assert.equal(alarm.MetricAlarms?.[0]?.StateValue, 'ALARM');
      assert.ok(alarm.MetricAlarms?.[0]?.StateUpdatedTimestamp instanceof Date);

      const dims = (version: string) => [
        { Name: 'FunctionName', Value: 'pay' },
        { Name: 'Resource', Value: 'pay:live' },
        { Name: 'ExecutedVersion', Value: version },
      ];
      const read = () =>
        cloudWatch.send(
          new GetMetricDataCommand({
            StartTime: start,
            EndTime: new Date(start.getTime() + 60_000),
            MetricDataQueries: ['1', '2'].flatMap((v) => [
              {
                Id: `err${v}`,
                MetricStat: {
                  Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dims(v) },
                  Period: 60,
                  Stat: 'Sum',
                },
              },
              {
                Id: `inv${v}`,
                MetricStat: {
                  Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dims(v) },
                  Period: 60,
                  Stat: 'Sum',
                },
              },
            ]),
          }),
        );
      const countOf = (result: Awaited<ReturnType<typeof read>>, id: string) =>
        result.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0] ?? 0;
      const data = await eventually(read, (r) => countOf(r, 'inv1') > 10 && countOf(r, 'inv2') > 10);
      traffic.stop();
      const value = (id: string) => data.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0] ?? 0;
      assert.ok(value('inv2') > 10 && value('inv1') > 10, 'both versions took traffic');
      assert.ok(
        value('err2') / value('inv2') > 0.5,
        `candidate error rate ${value('err2')}/${value('inv2')}`,
      );
      assert.equal(value('err1'), 0, 'the stable version has no errors');
      assert.ok(data.MetricDataResults?.[0]?.Timestamps?.[0] instanceof Date);
    });
  });

  test('Invoke from any client is counted in the metrics of the version that ran it', async () => {
    await withSim({}, async (sim, lambda, cloudWatch) => {
      await canary(lambda, 'inv', {}, 0.5);
      const start = new Date(sim.clock.now() - 1000);
      const versions: string[] = [];
      for (let i = 0; i < 20; i++)
        versions.push(
          (await lambda.send(new InvokeCommand({ FunctionName: 'inv', Qualifier: 'live' })))
            .ExecutedVersion ?? '',
        );
      const result = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: new Date(start.getTime() + 60_000),
          MetricDataQueries: [
            {
              Id: 'v2',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Invocations',
                  Dimensions: [
                    { Name: 'FunctionName', Value: 'inv' },
                    { Name: 'Resource', Value: 'inv:live' },
                    { Name: 'ExecutedVersion', Value: '2' },
                  ],
                },
                Period: 60,
                Stat: 'Sum',
              },
            },
            {
              Id: 'all',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Invocations',
                  Dimensions: [{ Name: 'FunctionName', Value: 'inv' }],
                },
                Period: 60,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      assert.equal(
        result.MetricDataResults?.find((r) => r.Id === 'v2')?.Values?.[0],
        versions.filter((v) => v === '2').length,
      );
      assert.equal(result.MetricDataResults?.find((r) => r.Id === 'all')?.Values?.[0], 20);
    });
  });
});

describe('simulator faults', () => {
  test('a throttle answers 429 TooManyRequestsException with Retry-After and a Reason', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 't', {}, 0.1);
      sim.faults.throttle({ operation: 'GetAlias', count: 1, retryAfterSeconds: 3 });
      const error = await lambda
        .send(new GetAliasCommand({ FunctionName: 't', Name: 'live' }))
        .catch((e: unknown) => e);
      assert.ok(error instanceof TooManyRequestsException);
      assert.equal(error.$metadata.httpStatusCode, 429);
      assert.equal(error.retryAfterSeconds, '3');
      assert.equal(error.Reason, 'CallerRateLimitExceeded');
      assert.equal(
        (await lambda.send(new GetAliasCommand({ FunctionName: 't', Name: 'live' }))).Name,
        'live',
        'spent after one call',
      );
    });
  });

  test('a lost response: the change lands but the caller only sees a dropped connection', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 'l', {}, 0.1);
      sim.faults.loseResponse({ operation: 'UpdateAlias' });
      const error = await lambda
        .send(
          new UpdateAliasCommand({
            FunctionName: 'l',
            Name: 'live',
            FunctionVersion: '2',
            RoutingConfig: { AdditionalVersionWeights: {} },
          }),
        )
        .catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.ok(
        !(
          '$metadata' in error &&
          (error as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode
        ),
        'no HTTP answer',
      );
      assert.equal(
        (await lambda.send(new GetAliasCommand({ FunctionName: 'l', Name: 'live' }))).FunctionVersion,
        '2',
      );
    });
  });

  test('an injected 5xx is a ServiceException', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 's', {}, 0.1);
      sim.faults.serviceError({ operation: 'GetFunction', count: 1 });
      const error = await lambda.send(new GetFunctionCommand({ FunctionName: 's' })).catch((e: unknown) => e);
      assert.ok(error instanceof ServiceException);
      assert.equal(error.$metadata.httpStatusCode, 500);
    });
  });

  test('a failed update ends LastUpdateStatus Failed with the reason, and the previous code keeps serving', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 'f', {}, 0.1);
      const before = (await lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))).Configuration
        ?.CodeSha256;
      sim.faults.failNextUpdate({
        functionName: 'f',
        reasonCode: 'EniLimitExceeded',
        reason: 'ENI limit reached',
      });
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zip({}, 'v3') }));
      await assert.rejects(
        waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'f' }),
      );
      const after = (await lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))).Configuration;
      assert.equal(after?.LastUpdateStatus, 'Failed');
      assert.equal(after?.LastUpdateStatusReasonCode, 'EniLimitExceeded');
      assert.equal(after?.LastUpdateStatusReason, 'ENI limit reached');
      assert.equal(after?.CodeSha256, before);
    });
  });

  test('an outside change lands right before a chosen call, rotating the RevisionId the caller holds', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 'o', {}, 0.1);
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'o', Name: 'live' }));
      sim.faults.outsideChange({
        functionName: 'o',
        when: { operation: 'UpdateAlias', phase: 'before' },
        change: 'alias',
        alias: 'live',
      });
      const error = await lambda
        .send(
          new UpdateAliasCommand({
            FunctionName: 'o',
            Name: 'live',
            RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
            RevisionId: alias.RevisionId,
          }),
        )
        .catch((e: unknown) => e);
      assert.equal((error as Error).name, 'PreconditionFailedException');
    });
  });

  test('faults can be injected over the HTTP control API', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 'h', {}, 0.1);
      const response = await fetch(`${sim.endpoint}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'throttle', operation: 'GetAlias', count: 1 }),
      });
      assert.equal(response.status, 201);
      assert.ok(
        (await lambda
          .send(new GetAliasCommand({ FunctionName: 'h', Name: 'live' }))
          .catch((e: unknown) => e)) instanceof TooManyRequestsException,
      );
      const calls = (await (await fetch(`${sim.endpoint}/_sim/calls`)).json()) as {
        calls: { operation: string; status: number }[];
      };
      assert.ok(calls.calls.some((c) => c.operation === 'GetAlias' && c.status === 429));
    });
  });
});

describe('simulator modes', () => {
  test('quota mode throttles the shared control-plane bucket past 15/s while GetFunction has 100/s', async () => {
    const clock = new TestClock();
    await withSim({ quotas: true, clock }, async (_sim, lambda) => {
      await canary(lambda, 'q', {}, 0.1);
      // A second passes on the simulator's clock, so the buckets the setup spent are full again; then time
      // stands still, so no token comes back during the burst however slowly the machine serves it.
      clock.advance(1100);
      clock.pause();
      const aliasReads = await Promise.all(
        Array.from({ length: 30 }, () =>
          lambda.send(new GetAliasCommand({ FunctionName: 'q', Name: 'live' })).then(
            () => 200,
            (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
          ),
        ),
      );
      assert.ok(
        aliasReads.filter((s) => s === 429).length >= 10,
        `throttled ${aliasReads.filter((s) => s === 429).length} of 30`,
      );
      const functionReads = await Promise.all(
        Array.from({ length: 30 }, () =>
          lambda.send(new GetFunctionCommand({ FunctionName: 'q' })).then(
            () => 200,
            () => 429,
          ),
        ),
      );
      assert.equal(functionReads.filter((s) => s === 429).length, 0);
    });
  });

  test('with a state file, functions, aliases, their histories and alarms survive a restart', async () => {
    const persistPath = join(mkdtempSync(join(tmpdir(), 'ramp-sim-')), 'state.json');
    await withSim({ persistPath }, async (sim, lambda) => {
      await canary(lambda, 'p', {}, 0.2);
      sim.alarms.put({
        name: 'p-errors',
        metric: 'Errors',
        dimensions: { FunctionName: 'p' },
        statistic: 'Sum',
        threshold: 1,
        comparison: '>',
        periodSec: 60,
        evaluationPeriods: 1,
      });
    });
    await withSim({ persistPath }, async (sim, lambda, cloudWatch) => {
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'p', Name: 'live' }));
      assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights, { '2': 0.2 });
      assert.deepEqual(
        sim.aliasHistory('p', 'live').map((state) => state.additionalVersionWeights),
        [{ '2': 0.2 }],
      );
      const alarms = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['p-errors'] }));
      assert.equal(alarms.MetricAlarms?.[0]?.MetricName, 'Errors');
    });
  });

  test('the SDK finds the simulator through AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_CLOUDWATCH alone', async () => {
    await withSim({}, async (sim, lambda) => {
      await canary(lambda, 'e', {}, 0.1);
      process.env.AWS_ENDPOINT_URL_LAMBDA = sim.endpoint;
      process.env.AWS_ENDPOINT_URL_CLOUDWATCH = sim.endpoint;
      try {
        const plainLambda = new LambdaClient({
          region: 'us-east-1',
          credentials: sim.clientConfig.credentials,
        });
        const plainCloudWatch = new CloudWatchClient({
          region: 'us-east-1',
          credentials: sim.clientConfig.credentials,
        });
        assert.equal(
          (await plainLambda.send(new GetAliasCommand({ FunctionName: 'e', Name: 'live' }))).Name,
          'live',
        );
        assert.deepEqual((await plainCloudWatch.send(new DescribeAlarmsCommand({}))).MetricAlarms, []);
      } finally {
        delete process.env.AWS_ENDPOINT_URL_LAMBDA;
        delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
      }
    });
  });

  test('an image tag carries the version’s behaviour', async () => {
    await withSim({}, async (_sim, lambda) => {
      const image = (tag: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/app:${tag}`;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'img',
          Role: role,
          PackageType: 'Image',
          Code: { ImageUri: image('v1') },
          Publish: true,
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'img' },
      );
      await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'img', ImageUri: image('v2--errors-100') }),
      );
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'img' },
      );
      const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'img' }));
      const result = await lambda.send(new InvokeCommand({ FunctionName: 'img', Qualifier: v2.Version }));
      assert.equal(result.FunctionError, 'Unhandled');
      const zipInstead = await lambda
        .send(new UpdateFunctionCodeCommand({ FunctionName: 'img', ZipFile: zip() }))
        .catch((e: Error) => e);
      assert.equal(
        (zipInstead as Error).message,
        'Please provide ImageUri when updating a function with packageType Image.',
      );
    });
  });
});
