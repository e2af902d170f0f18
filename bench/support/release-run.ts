import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { withReleaseStack, zipBase64 } from '../../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../../test/helpers/temporal.ts';
import { waitForEnd } from '../../test/helpers/wait-for.ts';

const metricDelayMs = Number(process.env.RAMP_BENCH_METRIC_DELAY_MS ?? 0);

export interface BadCanaryRun {
  shiftedAt: number;
  rolledBackAt: number;
  outcome: string | null;
}

/** Runs benchmark scenarios on a real worker, the real dev server and the simulator with traffic. */
export async function createReleaseClientStackRun(
  body: (run: {
    badCanary(options: {
      intervalSeconds: number;
      errorRate: number;
      ratePerSecond: number;
    }): Promise<BadCanaryRun>;
  }) => Promise<void>,
): Promise<void> {
  try {
    // Metric delay 0: this measures Ramp's own reaction once metrics show the fault. With CloudWatch's real
    // delay (RAMP_BENCH_METRIC_DELAY_MS, default 0 here; 60 000 on AWS) a rollback takes that much longer.
    await withReleaseStack({ healthGate: 'cloudwatch', metricDelayMs }, async (stack) =>
      body({
        async badCanary({ intervalSeconds, errorRate, ratePerSecond }) {
          const fn = uniqueName('bench');
          const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
          const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond });
          const id = await stack.startRelease({
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64({ errorRate }) },
            strategy: { steps: [{ weight: 50, bake: '5m' }] },
            health: {
              interval: `${intervalSeconds}s`,
              metrics: { minInvocations: 20, errorRate: { max: 0.05 } },
            },
          });
          const status = await waitForEnd(stack.releases, id, 120_000);
          traffic.stop();
          const history = stack.sim.aliasHistory(fn, 'live');
          const shift = history.find((state) => Object.keys(state.additionalVersionWeights).length > 0);
          const back = history.at(-1);
          const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
          if (alias.FunctionVersion !== stableVersion) throw new Error('alias is not back on stable');
          return { shiftedAt: shift?.at ?? 0, rolledBackAt: back?.at ?? 0, outcome: status.outcome };
        },
      }),
    );
  } finally {
    await closeTemporalEnvironment();
  }
}
