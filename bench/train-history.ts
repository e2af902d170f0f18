/**
 * A 200-target train (100 functions × 2 regions, in 3 waves) against the simulator: how big the train's
 * own history grows (events and bytes) while its children do the work, and how long it takes. Temporal
 * warns at 10,240 events / 10 MB and terminates a workflow at 51,200 events / 50 MB.
 *   npm run bench -- bench/train-history.ts        (RAMP_BENCH_TRAIN_TARGETS=200, RAMP_BENCH_TRAIN_PARALLEL=25)
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

import { withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../test/helpers/temporal.ts';
import { trainKit } from '../test/helpers/train-stack.ts';

const targetCount = Number(process.env.RAMP_BENCH_TRAIN_TARGETS ?? 200);
const maxParallel = Number(process.env.RAMP_BENCH_TRAIN_PARALLEL ?? 25);
const regions = ['us-east-1', 'eu-west-1'];

async function historySize(client: Client, id: string, runId?: string) {
  const history = await client.workflow.getHandle(id, runId).fetchHistory();
  return {
    events: history.events?.length ?? 0,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
  };
}

try {
  await withReleaseStack({ updateDelayMs: 20 }, async (stack) => {
    const kit = trainKit(stack);
    try {
      const functions = Array.from({ length: Math.ceil(targetCount / regions.length) }, () =>
        uniqueName('bench-t'),
      );
      const targets = functions
        .flatMap((fn) => regions.map((region) => ({ function: fn, region })))
        .slice(0, targetCount);
      for (let i = 0; i < targets.length; i += 20)
        await Promise.all(targets.slice(i, i + 20).map((t) => kit.createFunctionIn(t.region, t.function)));
      const canary = targets.slice(0, 2);
      const half = Math.ceil((targets.length - 2) / 2);
      const startedAt = Date.now();
      const id = await kit.startTrain({
        name: `bench ${targetCount}`,
        defaults: { alias: 'live', strategy: 'AllAtOnce', code: { zipFile: zipBase64({}, 'bench-v2') } },
        waves: [
          { name: 'canary', targets: canary },
          { name: 'first half', maxParallel, targets: targets.slice(2, 2 + half) },
          { name: 'second half', maxParallel, targets: targets.slice(2 + half) },
        ],
      });
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null, 60 * 60_000);
      const seconds = (Date.now() - startedAt) / 1000;
      const train = await historySize(stack.client, id);
      const firstChild = status.waves[1]?.targets[0]?.releaseId?.split('.') ?? [];
      const child = await historySize(
        stack.client,
        `release.${firstChild[0]}.${firstChild[1]}.${firstChild[2]}`,
        firstChild[3],
      );
      const outcomes = status.waves.flatMap((w) => w.targets.map((t) => t.outcome));
      console.log(
        `train of ${targets.length} targets (3 waves, ${maxParallel} at once, AllAtOnce releases):`,
      );
      console.log(
        `  outcome ${status.outcome}; ${outcomes.filter((o) => o === 'succeeded').length} targets succeeded; ${seconds.toFixed(1)} s`,
      );
      console.log(
        `  train history: ${train.events} events, ${(train.bytes / 1024).toFixed(1)} KiB (${(train.events / targets.length).toFixed(1)} events and ${(train.bytes / targets.length / 1024).toFixed(2)} KiB per target)`,
      );
      console.log(
        `  one child release's history: ${child.events} events, ${(child.bytes / 1024).toFixed(1)} KiB`,
      );
      console.log(`  status query answer: ${(JSON.stringify(status).length / 1024).toFixed(1)} KiB`);
    } finally {
      kit.close();
    }
  });
} finally {
  await closeTemporalEnvironment();
}
