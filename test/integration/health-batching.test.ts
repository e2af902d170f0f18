/**
 * One worker watching many baking releases reads CloudWatch in shared calls: the number of GetMetricData and
 * DescribeAlarms calls per interval stays near one however many releases bake, while every release is still
 * checked every interval and a bad one still rolls back. Metrics reach the simulator's CloudWatch at once
 * here (metricDelayMs 0): the test is about how reads are shared, not about CloudWatch's delay.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

const releases = 12;
const bakeSeconds = 10;

describe('CloudWatch reads shared across releases', () => {
  test(`${releases} releases baking on one worker: about one GetMetricData and one DescribeAlarms per interval, every release checked every interval, a bad one rolled back`, async () => {
    await withReleaseStack({ healthGate: 'cloudwatch', metricDelayMs: 0 }, async (stack) => {
      const alarm = uniqueName('shared-alarm');
      stack.sim.alarms.put({
        name: alarm,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: {},
        statistic: 'Sum',
        threshold: 1_000_000,
        comparison: 'GreaterThanThreshold',
        periodSeconds: 60,
        evaluationPeriods: 1,
      });
      const functions = Array.from({ length: releases }, () => uniqueName('shared'));
      const traffic = [];
      for (const fn of functions) {
        await stack.createFunctionWithAlias(fn, 'live');
        traffic.push(stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 }));
      }
      const badIndex = releases - 1;
      const ids = await Promise.all(
        functions.map((fn, index) =>
          stack.startRelease({
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64(index === badIndex ? { errorRate: 0.6 } : {}) },
            strategy: { steps: [{ weight: 50, bake: `${bakeSeconds}s` }] },
            health: {
              interval: '1s',
              alarms: [alarm],
              metrics: { minInvocations: 20, confidence: 0.99, errorRate: { max: 0.05 } },
            },
          }),
        ),
      );
      const healthy = ids.filter((_, index) => index !== badIndex);
      for (const id of healthy) await waitForStatus(stack.releases, id, (s) => s.phase === 'baking', 60_000);
      // Steady state: every healthy release bakes. Count CloudWatch calls over the next few intervals.
      const from = Date.now();
      const countFrom = stack.sim.calls().length;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const seconds = (Date.now() - from) / 1000;
      const calls = stack.sim.calls().slice(countFrom);
      const count = (operation: string) => calls.filter((call) => call.operation === operation).length;
      const statuses = await Promise.all(ids.map((id) => waitForEnd(stack.releases, id, 60_000)));
      for (const handle of traffic) handle.stop();

      // Without batching each baking release makes one of each per interval: 11 × 4 s = 44 of each.
      const perInterval = {
        getMetricData: count('GetMetricData') / seconds,
        describeAlarms: count('DescribeAlarms') / seconds,
      };
      assert.ok(
        perInterval.getMetricData <= 2.5,
        `GetMetricData ${perInterval.getMetricData.toFixed(1)}/interval`,
      );
      assert.ok(
        perInterval.describeAlarms <= 2.5,
        `DescribeAlarms ${perInterval.describeAlarms.toFixed(1)}/interval`,
      );

      const bad = statuses[badIndex];
      assert.equal(bad?.outcome, 'rolled_back', JSON.stringify(bad?.lastError));
      assert.match(bad?.lastError?.message ?? '', /error rate/);
      for (const status of statuses.filter((_, index) => index !== badIndex)) {
        assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
        // The monitor's own count: one check per interval of the bake (the first at once, then on the grid);
        // a loaded CI machine may miss a tick or two.
        const verdict = status.timeline.find(
          (e) => e.event === 'health_verdict' && /^pass after/.test(e.message),
        );
        const checks = Number(/after (\d+) checks/.exec(verdict?.message ?? '')?.[1] ?? 0);
        assert.ok(
          checks >= bakeSeconds - 3,
          `${status.functionName}: ${checks} checks in a ${bakeSeconds} s bake`,
        );
      }
    });
  });
});
