import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createCanary, withSim } from './fixtures.ts';

// Synthetic probes invoke a version by number. On AWS, Lambda publishes ExecutedVersion only for invocations
// through an alias, and Resource is what the caller named: so probes count under `function:version`, never in
// the alias's per-version figures that Ramp's judge reads (docs/health.md, "Synthetic probes").
test('invocations of a version by its number are counted apart from the alias’s per-version metrics', async () => {
  await withSim({}, async (sim, lambda, cloudWatch) => {
    await createCanary(lambda, 'apart', {}, 0.5);
    const start = new Date(sim.clock.now() - 1000);
    let viaAliasOnVersion2 = 0;
    for (let i = 0; i < 20; i++) {
      const routed = await lambda.send(new InvokeCommand({ FunctionName: 'apart', Qualifier: 'live' }));
      if (routed.ExecutedVersion === '2') viaAliasOnVersion2++;
    }
    for (let i = 0; i < 7; i++) {
      const probe = await lambda.send(new InvokeCommand({ FunctionName: 'apart', Qualifier: '2' }));
      assert.equal(probe.ExecutedVersion, '2');
    }
    const sum = async (dimensions: Record<string, string>) => {
      const result = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: new Date(sim.clock.now() + 60_000),
          MetricDataQueries: [
            {
              Id: 'inv',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Lambda',
                  MetricName: 'Invocations',
                  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
                },
                Period: 60,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      return (result.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
    };

    assert.ok(viaAliasOnVersion2 > 0 && viaAliasOnVersion2 < 20, 'the alias split its traffic');
    assert.equal(
      await sum({ FunctionName: 'apart', Resource: 'apart:live', ExecutedVersion: '2' }),
      viaAliasOnVersion2,
      'the alias’s figures for version 2 hold only what the alias routed there',
    );
    assert.equal(await sum({ FunctionName: 'apart', Resource: 'apart:live' }), 20);
    assert.equal(await sum({ FunctionName: 'apart', Resource: 'apart:2' }), 7, 'the probes, apart');
    assert.equal(
      await sum({ FunctionName: 'apart', Resource: 'apart:2', ExecutedVersion: '2' }),
      0,
      'no ExecutedVersion without an alias',
    );
    assert.equal(await sum({ FunctionName: 'apart' }), 27, 'the function as a whole counts both');
  });
});
