import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetFunctionCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { maxInFlightOf, ProbeRun } from '../../src/health/probes.ts';
import { createCanary, eventually, withSim } from '../sim/fixtures.ts';

// The prober against the simulator through the real @aws-sdk/client-lambda: probes hold the function's
// concurrency while they run, so they take only a small share of it.
describe('probes and the function’s concurrency', () => {
  test('the simulator enforces reserved concurrency: one invocation too many is throttled and counted', async () => {
    await withSim({}, async (sim, lambda, cloudWatch) => {
      await createCanary(lambda, 'reserved', { latencyMs: { p50: 300, p99: 300 } }, 0);
      await lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 1 }),
      );
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'reserved' }));
      assert.equal(fn.Concurrency?.ReservedConcurrentExecutions, 1);

      const start = new Date(sim.clock.now() - 1000);
      const both = await Promise.allSettled([
        lambda.send(new InvokeCommand({ FunctionName: 'reserved', Qualifier: '2' })),
        lambda.send(new InvokeCommand({ FunctionName: 'reserved', Qualifier: '2' })),
      ]);
      const ran = both.filter((result) => result.status === 'fulfilled');
      const refused = both.flatMap((result) =>
        result.status === 'rejected' ? [result.reason as unknown] : [],
      );
      assert.equal(ran.length, 1, 'the one within the limit ran');
      assert.ok(refused[0] instanceof TooManyRequestsException, String(refused[0]));
      assert.equal(refused[0].Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      const throttles = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: new Date(sim.clock.now() + 60_000),
          MetricDataQueries: [
            {
              Id: 't',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Throttles',
                  Dimensions: [{ Name: 'FunctionName', Value: 'reserved' }],
                },
                Period: 60,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      assert.equal(
        (throttles.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0),
        1,
      );
    });
  });

  test('probes of a slow function with little reserved concurrency stay within a share of it and are never throttled', async () => {
    await withSim({}, async (sim, lambda) => {
      // Version 2 takes 300 ms: at 20 probes/s, 6 would be in flight at once without a cap.
      await createCanary(lambda, 'small', { latencyMs: { p50: 300, p99: 300 } }, 0);
      await lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'small', ReservedConcurrentExecutions: 2 }),
      );
      const config = { ratePerSecond: 20, timeoutMs: 3000, payloads: [{}], preTrafficMs: 0 };
      const run = new ProbeRun(
        lambda,
        { functionName: 'small', candidateVersion: '2', stableVersion: '1' },
        config,
      );
      run.start();
      try {
        const answered = await eventually(
          () => run.outcomesOf('2').length,
          (count) => count >= 5,
          20_000,
        );
        assert.ok(answered >= 5, `${answered} probes of version 2 answered`);
      } finally {
        await run.drain();
      }
      assert.equal(run.reservedConcurrency, 2);
      assert.equal(run.maxInFlight, 1);
      const all = [...run.outcomesOf('1'), ...run.outcomesOf('2')];
      assert.deepEqual(
        all.filter((outcome) => outcome.result !== 'ok').map((outcome) => outcome.result),
        [],
        'every probe ran: none throttled',
      );
      assert.equal(
        sim.calls().filter((call) => call.operation === 'Invoke' && call.status === 429).length,
        0,
      );
    });
  });

  test('the cap: enough for the rate at the timeout, at most 4, at most 5 % of reserved concurrency, at least 1', () => {
    assert.equal(maxInFlightOf({ ratePerSecond: 1, timeoutMs: 1000 }), 1);
    assert.equal(maxInFlightOf({ ratePerSecond: 5, timeoutMs: 3000 }), 4);
    assert.equal(maxInFlightOf({ ratePerSecond: 5, timeoutMs: 3000 }, 1000), 4);
    assert.equal(maxInFlightOf({ ratePerSecond: 5, timeoutMs: 3000 }, 40), 2);
    assert.equal(maxInFlightOf({ ratePerSecond: 5, timeoutMs: 3000 }, 2), 1);
  });
});
