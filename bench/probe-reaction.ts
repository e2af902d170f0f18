/**
 * Reaction time under CloudWatch's real delay (issue 12, item 5): a candidate that fails every invocation
 * takes 50 % of the alias's traffic, with the simulator's metrics reaching CloudWatch 60 s after each
 * invocation (as on AWS). Measured from the shift (the alias write that split it) to the rollback (the alias
 * write that put it back), as the simulator saw them:
 *   - with synthetic probes (health.probes; no round before traffic, so the bake is what is measured);
 *   - without probes: the metrics judge, which must wait for CloudWatch;
 * beside CodeDeploy's alarm path computed from its documented settings: an alarm on a standard-resolution
 * metric has a period of at least 60 s (PutMetricAlarm: "any multiple of 60"), needs `evaluationPeriods`
 * breaching periods, and sees each minute only after the metric delay.
 *
 * RAMP_BENCH_RUNS (default 3) runs per probe rate; RAMP_BENCH_METRIC_RUNS (default 2) without probes.
 */
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../test/helpers/temporal.ts';
import { waitForEnd } from '../test/helpers/wait-for.ts';

const metricDelayMs = 60_000;
const intervalSeconds = 1;
const probeRuns = Number(process.env.RAMP_BENCH_RUNS ?? 3);
const metricRuns = Number(process.env.RAMP_BENCH_METRIC_RUNS ?? 2);
const probeRates = [5, 10];

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    min: sorted[0] ?? 0,
    max: sorted.at(-1) ?? 0,
  };
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const rows: string[][] = [];
try {
  await withReleaseStack({ healthGate: 'cloudwatch', metricDelayMs }, async (stack) => {
    const badCanary = async (probes: Record<string, unknown> | undefined) => {
      const fn = uniqueName('react');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 40 });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64({ errorRate: 1 }) },
        strategy: { steps: [{ weight: 50, bake: '10m' }] },
        health: {
          interval: `${intervalSeconds}s`,
          metrics: { minInvocations: 20, errorRate: { max: 0.05 } },
          ...(probes ? { probes } : {}),
        },
      });
      const status = await waitForEnd(stack.releases, id, 10 * 60_000);
      traffic.stop();
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      if (status.outcome !== 'rolled_back' || alias.FunctionVersion !== stableVersion)
        throw new Error(
          `expected a rollback to ${stableVersion}, got ${status.outcome} on ${alias.FunctionVersion}`,
        );
      const history = stack.sim.aliasHistory(fn, 'live');
      const shift = history.find((state) => Object.keys(state.additionalVersionWeights).length > 0);
      const back = history.at(-1);
      return (back?.at ?? 0) - (shift?.at ?? 0);
    };

    for (const ratePerSecond of probeRates) {
      const reactions: number[] = [];
      for (let i = 0; i < probeRuns; i++)
        reactions.push(await badCanary({ ratePerSecond, timeout: '3s', preTraffic: '0s' }));
      const { median, min, max } = summary(reactions);
      const goalMs = intervalSeconds * 1000 + 2000;
      rows.push([
        `Ramp, probes ${ratePerSecond}/s per version`,
        seconds(median),
        `${seconds(min)}–${seconds(max)}`,
        String(probeRuns),
        `≤ ${seconds(goalMs)} (interval + 2 s)`,
        (median / goalMs).toFixed(2),
      ]);
    }
    if (metricRuns === 0) return;
    const reactions: number[] = [];
    for (let i = 0; i < metricRuns; i++) reactions.push(await badCanary(undefined));
    const { median, min, max } = summary(reactions);
    const goalMs = metricDelayMs + intervalSeconds * 1000 + 2000;
    rows.push([
      'Ramp, metrics only (no probes)',
      seconds(median),
      `${seconds(min)}–${seconds(max)}`,
      String(metricRuns),
      `≤ ${seconds(goalMs)} (delay + interval + 2 s)`,
      (median / goalMs).toFixed(2),
    ]);
  });
} finally {
  await closeTemporalEnvironment();
}
for (const evaluationPeriods of [1, 3]) {
  // The first breaching minute must be complete and published, then `evaluationPeriods` of them in a row.
  const atLeastMs = evaluationPeriods * 60_000 + metricDelayMs;
  rows.push([
    `CodeDeploy alarm path, period 60 s × ${evaluationPeriods} evaluation period${evaluationPeriods > 1 ? 's' : ''}`,
    `≥ ${seconds(atLeastMs)}`,
    'computed',
    '–',
    '–',
    '–',
  ]);
}

console.log(
  `Reaction time under a ${metricDelayMs / 1000} s metric delay (bad candidate takes 50 % → alias back on stable), interval ${intervalSeconds} s:`,
);
console.log('| path | median | min–max | runs | goal | ratio to goal |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
