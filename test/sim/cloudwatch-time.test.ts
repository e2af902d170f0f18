import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { createCanary, TestClock, withSim } from './fixtures.ts';

// CloudWatch's time, through the real @aws-sdk/client-cloudwatch: Lambda's metrics land a delay after the
// invocation, in one datapoint per minute, and alarms evaluate what has landed once per period. The
// simulator's clock stands still once the function is set up and is moved by hand, so a minute passes
// without waiting for one and nothing depends on how fast the machine is.
const minute = Date.parse('2026-11-28T12:00:00Z');
const delayMs = 60_000;

const invocations = (cloudWatch: CloudWatchClient, periodSeconds: number) =>
  cloudWatch
    .send(
      new GetMetricDataCommand({
        StartTime: new Date(minute),
        EndTime: new Date(minute + 10 * 60_000),
        MetricDataQueries: [
          {
            Id: 'inv',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Invocations',
                Dimensions: [{ Name: 'FunctionName', Value: 'clocked' }],
              },
              Period: periodSeconds,
              Stat: 'Sum',
            },
          },
        ],
      }),
    )
    .then((result) => ({
      values: result.MetricDataResults?.[0]?.Values ?? [],
      timestamps: (result.MetricDataResults?.[0]?.Timestamps ?? []).map((t) => t.getTime()),
    }));

const invoke = (lambda: LambdaClient, qualifier = '1') =>
  lambda.send(new InvokeCommand({ FunctionName: 'clocked', Qualifier: qualifier }));

describe('CloudWatch time in the simulator', () => {
  test('an invocation is invisible to GetMetricData until the metric delay has passed, then visible', async () => {
    const clock = new TestClock(minute + 5_000);
    await withSim({ clock, metricDelayMs: delayMs }, async (_sim, lambda, cloudWatch) => {
      await createCanary(lambda, 'clocked', {}, 0);
      clock.pause();
      await invoke(lambda);

      assert.deepEqual((await invocations(cloudWatch, 60)).values, [], 'not landed yet');
      clock.advance(delayMs / 2);
      assert.deepEqual((await invocations(cloudWatch, 60)).values, [], 'half the delay later, still not');
      clock.advance(delayMs / 2);
      assert.deepEqual(await invocations(cloudWatch, 60), { values: [1], timestamps: [minute] });
    });
  });

  test("a minute's invocations are one 60 s datapoint, stamped with the minute, even for a finer period", async () => {
    const clock = new TestClock(minute + 5_000);
    await withSim({ clock, metricDelayMs: delayMs }, async (_sim, lambda, cloudWatch) => {
      await createCanary(lambda, 'clocked', {}, 0);
      clock.pause();
      for (let i = 0; i < 3; i++) {
        await invoke(lambda);
        clock.advance(15_000);
      }
      // Now in the next minute: this one is a datapoint of its own.
      clock.advance(20_000);
      await invoke(lambda);
      clock.advance(delayMs);

      const perMinute = { values: [1, 3], timestamps: [minute + 60_000, minute] };
      assert.deepEqual(await invocations(cloudWatch, 60), perMinute, 'newest first');
      assert.deepEqual(
        await invocations(cloudWatch, 10),
        perMinute,
        'standard resolution: no finer datapoints',
      );
      assert.deepEqual(await invocations(cloudWatch, 300), { values: [4], timestamps: [minute] });
    });
  });

  test('an alarm evaluates once per period on what has landed, and a state set by hand holds until then', async () => {
    const clock = new TestClock(minute + 5_000);
    await withSim({ clock, metricDelayMs: delayMs }, async (sim, lambda, cloudWatch) => {
      await createCanary(lambda, 'clocked', { errorRate: 1 }, 0);
      clock.pause();
      sim.alarms.put({
        name: 'clocked-errors',
        metric: 'Errors',
        dimensions: { FunctionName: 'clocked' },
        statistic: 'Sum',
        threshold: 0,
        comparison: '>',
        periodSec: 60,
        evaluationPeriods: 1,
      });
      const alarm = async () =>
        (await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['clocked-errors'] })))
          .MetricAlarms?.[0];
      const failed = await invoke(lambda, '2');
      assert.equal(failed.FunctionError, 'Unhandled');

      clock.advance(minute + 60_000 - clock.now());
      assert.equal(
        (await alarm())?.StateValue,
        'INSUFFICIENT_DATA',
        'evaluated at 12:01, before the error landed',
      );
      clock.advance(60_000);
      const alarming = await alarm();
      assert.equal(alarming?.StateValue, 'ALARM', 'evaluated at 12:02, once the error had landed');
      assert.match(alarming?.StateReason ?? '', /\[1\] breached the threshold \(0\)/);

      await cloudWatch.send(
        new SetAlarmStateCommand({
          AlarmName: 'clocked-errors',
          StateValue: 'OK',
          StateReason: 'testing the pager',
        }),
      );
      const set = await alarm();
      assert.equal(set?.StateValue, 'OK');
      assert.equal(set?.StateReason, 'testing the pager');
      clock.advance(59_000);
      assert.equal((await alarm())?.StateValue, 'OK', 'held: the alarm is not evaluated every second');
      clock.advance(1_000);
      assert.equal((await alarm())?.StateValue, 'ALARM', 'the next evaluation, at 12:03, puts it back');

      const viaControl = await fetch(`${sim.endpoint}/_sim/alarms/clocked-errors/state`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'OK', reason: 'set over the control API' }),
      });
      assert.equal(viaControl.status, 204);
      clock.advance(30_000);
      assert.equal((await alarm())?.StateValue, 'OK', 'the control API sets it the same way');
    });
  });
});
