import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  InvalidParameterValueException,
} from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createCanary, eventually, TestClock, withSim } from './fixtures.ts';

const versionDimensions = (fn: string, version: string) => [
  { Name: 'FunctionName', Value: fn },
  { Name: 'Resource', Value: `${fn}:live` },
  { Name: 'ExecutedVersion', Value: version },
];

describe('CloudWatch in the simulator', () => {
  test('Duration statistics and percentiles come per minute datapoint (standard resolution) even for a 1 s period, newest first', async () => {
    await withSim({}, async (sim, lambda, cloudWatch) => {
      await createCanary(lambda, 'lat', { latencyMs: { p50: 30, p99: 60 } }, 1);
      const start = new Date(sim.clock.now() - 1000);
      for (let i = 0; i < 15; i++)
        await lambda.send(new InvokeCommand({ FunctionName: 'lat', Qualifier: 'live' }));
      const stats = ['Average', 'Maximum', 'SampleCount', 'p50', 'p90', 'p99'];
      const result = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: new Date(sim.clock.now() + 1000),
          MetricDataQueries: stats.map((stat, index) => ({
            Id: `d${index}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Duration',
                Dimensions: versionDimensions('lat', '2'),
              },
              Period: 1,
              Stat: stat,
            },
          })),
        }),
      );
      const series = (stat: string) => result.MetricDataResults?.[stats.indexOf(stat)];
      const count = (series('SampleCount')?.Values ?? []).reduce((a, b) => a + b, 0);
      assert.equal(count, 15, 'every invocation of version 2 is one Duration sample');
      const timestamps = (series('p99')?.Timestamps ?? []).map((t) => t.getTime());
      assert.deepEqual(
        timestamps,
        [...timestamps].sort((a, b) => b - a),
        'newest period first',
      );
      for (const [index, p50] of (series('p50')?.Values ?? []).entries()) {
        const p99 = series('p99')?.Values?.[index] ?? 0;
        const max = series('Maximum')?.Values?.[index] ?? 0;
        assert.ok(p50 > 0 && p50 <= p99 && p99 <= max, `p50 ${p50} ≤ p99 ${p99} ≤ max ${max}`);
      }
    });
  });

  test('an alarm defined with metric and periodSec flips to ALARM when a version turns bad at run time', async () => {
    await withSim({}, async (sim, lambda, cloudWatch) => {
      await createCanary(lambda, 'turn', {}, 0.5);
      sim.alarms.put({
        name: 'turn-v2-errors',
        metric: 'Errors',
        dimensions: { FunctionName: 'turn', Resource: 'turn:live', ExecutedVersion: '2' },
        statistic: 'Sum',
        threshold: 3,
        comparison: '>',
        periodSec: 5,
        evaluationPeriods: 1,
      });
      const traffic = sim.traffic.start({ functionName: 'turn', qualifier: 'live', ratePerSecond: 60 });
      try {
        const healthy = await eventually(
          () => cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['turn-v2-errors'] })),
          (r) => r.MetricAlarms?.[0]?.StateValue === 'OK',
        );
        assert.equal(healthy.MetricAlarms?.[0]?.StateValue, 'OK', 'a healthy version keeps the alarm OK');

        const bad = sim.faults.versionBehaviour('turn', '2', { errorRate: 1 });
        const alarming = await eventually(
          () => cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['turn-v2-errors'] })),
          (r) => r.MetricAlarms?.[0]?.StateValue === 'ALARM',
        );
        const alarm = alarming.MetricAlarms?.[0];
        assert.equal(alarm?.StateValue, 'ALARM');
        assert.equal(alarm?.ComparisonOperator, 'GreaterThanThreshold');
        assert.equal(alarm?.Period, 5);
        assert.equal(alarm?.AlarmArn, 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:turn-v2-errors');
        bad.remove();
        const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'turn', Qualifier: '2' }));
        assert.equal(
          invoked.FunctionError,
          undefined,
          'removing the override restores the package behaviour',
        );
      } finally {
        traffic.stop();
      }
    });
  });

  test('older SDKs speak awsQuery: form-encoded GetMetricData and DescribeAlarms answer in XML', async () => {
    await withSim({}, async (sim, lambda) => {
      await createCanary(lambda, 'old', {}, 0.5);
      for (let i = 0; i < 5; i++) await lambda.send(new InvokeCommand({ FunctionName: 'old' }));
      sim.alarms.put({
        name: 'old-errors',
        metric: 'Errors',
        dimensions: { FunctionName: 'old' },
        statistic: 'Sum',
        threshold: 1,
        comparison: '>=',
        periodSec: 60,
        evaluationPeriods: 1,
      });
      const post = (form: Record<string, string>) =>
        fetch(`${sim.endpoint}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body: new URLSearchParams(form).toString(),
        });
      const q = 'MetricDataQueries.member.1';
      const metricData = await post({
        Action: 'GetMetricData',
        Version: '2010-08-01',
        [`${q}.Id`]: 'inv',
        [`${q}.MetricStat.Metric.Namespace`]: 'AWS/Lambda',
        [`${q}.MetricStat.Metric.MetricName`]: 'Invocations',
        [`${q}.MetricStat.Metric.Dimensions.member.1.Name`]: 'FunctionName',
        [`${q}.MetricStat.Metric.Dimensions.member.1.Value`]: 'old',
        [`${q}.MetricStat.Period`]: '300',
        [`${q}.MetricStat.Stat`]: 'Sum',
        StartTime: new Date(sim.clock.now() - 60_000).toISOString(),
        EndTime: new Date(sim.clock.now() + 60_000).toISOString(),
      });
      const xml = await metricData.text();
      assert.equal(metricData.status, 200);
      assert.match(
        xml,
        /^<GetMetricDataResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/">/,
      );
      assert.match(xml, /<Id>inv<\/Id>/);
      assert.match(xml, /<Values><member>5<\/member><\/Values>/);
      assert.match(xml, /<Timestamps><member>\d{4}-\d\d-\d\dT[\d:.]+Z<\/member><\/Timestamps>/);

      const alarms = await post({
        Action: 'DescribeAlarms',
        Version: '2010-08-01',
        'AlarmNames.member.1': 'old-errors',
      });
      const alarmXml = await alarms.text();
      assert.match(alarmXml, /<AlarmName>old-errors<\/AlarmName>/);
      assert.match(alarmXml, /<StateValue>(OK|ALARM)<\/StateValue>/);

      const bad = await post({ Action: 'GetMetricData', Version: '2010-08-01' });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /<Code>InvalidParameterValue<\/Code>/);
    });
  });

  test('CloudWatch errors and injected throttles reach the SDK as CloudWatch exceptions; calls are logged', async () => {
    await withSim({}, async (sim, _lambda, cloudWatch) => {
      const now = Date.now();
      const invalid = await cloudWatch
        .send(
          new GetMetricDataCommand({
            StartTime: new Date(now),
            EndTime: new Date(now - 1000),
            MetricDataQueries: [],
          }),
        )
        .catch((error: unknown) => error);
      assert.ok(invalid instanceof InvalidParameterValueException);
      assert.equal(invalid.$metadata.httpStatusCode, 400);
      assert.equal(invalid.message, 'The parameter EndTime must be greater than StartTime.');

      sim.faults.throttle({ operation: 'DescribeAlarms', count: 1 });
      const throttled = await cloudWatch.send(new DescribeAlarmsCommand({})).catch((error: unknown) => error);
      assert.ok(throttled instanceof CloudWatchServiceException);
      assert.equal(throttled.name, 'Throttling');
      assert.equal(throttled.$metadata.httpStatusCode, 400);
      const after = await cloudWatch.send(new DescribeAlarmsCommand({}));
      assert.deepEqual(after.MetricAlarms, []);

      sim.faults.throttle({ count: 1 });
      await cloudWatch.send(new DescribeAlarmsCommand({}));
      assert.equal(sim.faults.list().length, 1, 'a throttle that names no operation is for Lambda only');

      const logged = sim.calls().filter((call) => call.operation === 'DescribeAlarms');
      assert.deepEqual(
        logged.map((call) => [call.status, call.errorType]),
        [
          [400, 'Throttling'],
          [200, undefined],
          [200, undefined],
        ],
      );
    });
  });
});

describe("CloudWatch's limits and rates", () => {
  const query = (id: number) => ({
    Id: `q${id}`,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [] },
      Period: 60,
      Stat: 'Sum',
    },
  });

  test('GetMetricData takes 500 queries, not 501; DescribeAlarms takes 100 names, not 101', async () => {
    await withSim({}, async (_sim, _lambda, cloudWatch) => {
      const window = { StartTime: new Date(Date.now() - 600_000), EndTime: new Date() };
      const ok = await cloudWatch.send(
        new GetMetricDataCommand({
          ...window,
          MetricDataQueries: Array.from({ length: 500 }, (_, i) => query(i)),
        }),
      );
      assert.equal(ok.MetricDataResults?.length, 500);
      await assert.rejects(
        cloudWatch.send(
          new GetMetricDataCommand({
            ...window,
            MetricDataQueries: Array.from({ length: 501 }, (_, i) => query(i)),
          }),
        ),
        (error: Error) =>
          error instanceof InvalidParameterValueException && /greater than 500/.test(error.message),
      );
      const names = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`);
      await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names(100) }));
      await assert.rejects(
        cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names(101) })),
        (error: Error) => /^Validation/.test(error.name) && /100/.test(error.message),
      );
    });
  });

  test('quota mode throttles DescribeAlarms past 9/s and GetMetricData past 50/s with 400 Throttling', async () => {
    const clock = new TestClock();
    await withSim({ quotas: true, clock }, async (_sim, _lambda, cloudWatch) => {
      clock.pause();
      const statusOf = (send: Promise<unknown>) =>
        send.then(
          () => 'ok',
          (error: Error & { $metadata?: { httpStatusCode?: number } }) =>
            `${error.$metadata?.httpStatusCode} ${error.name}`,
        );
      const describes = await Promise.all(
        Array.from({ length: 12 }, () => statusOf(cloudWatch.send(new DescribeAlarmsCommand({})))),
      );
      assert.equal(describes.filter((s) => s === 'ok').length, 9);
      assert.deepEqual([...new Set(describes.filter((s) => s !== 'ok'))], ['400 Throttling']);
      const window = { StartTime: new Date(clock.now() - 600_000), EndTime: new Date(clock.now()) };
      const reads = await Promise.all(
        Array.from({ length: 55 }, () =>
          statusOf(cloudWatch.send(new GetMetricDataCommand({ ...window, MetricDataQueries: [query(0)] }))),
        ),
      );
      assert.equal(reads.filter((s) => s === 'ok').length, 50);
      // A second later the buckets are full again.
      clock.advance(1000);
      assert.equal(await statusOf(cloudWatch.send(new DescribeAlarmsCommand({}))), 'ok');
    });
  });
});
