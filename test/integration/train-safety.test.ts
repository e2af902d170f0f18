import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { type TrainKit, trainKit } from '../helpers/train-stack.ts';
import { waitForStatus } from '../helpers/wait-for.ts';

async function withTrains<T>(
  options: Parameters<typeof withReleaseStack>[0],
  body: (stack: ReleaseStack, kit: TrainKit) => Promise<T>,
): Promise<T> {
  return withReleaseStack(options, async (stack) => {
    const kit = trainKit(stack);
    try {
      return await body(stack, kit);
    } finally {
      kit.close();
    }
  });
}

const target = (fn: string, region: string, extra: Record<string, unknown> = {}) => ({
  function: fn,
  region,
  code: { zipFile: zipBase64({}, `${fn}-${region}-v2`) },
  ...extra,
});

describe('release trains under trouble', () => {
  test('a target whose alias someone changed after its promotion is left alone and reported; the rest roll back', async () => {
    await withTrains({}, async (_stack, kit) => {
      const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', b);
      await kit.createFunctionIn('us-east-1', c);
      const id = await kit.startTrain({
        name: 'conflicted',
        defaults: { alias: 'live', strategy: 'AllAtOnce' },
        waves: [
          { name: 'one', targets: [target(a, 'us-east-1'), target(b, 'eu-west-1')] },
          { name: 'two', approval: true, targets: [target(c, 'us-east-1', { alias: 'missing' })] },
        ],
      });
      const waiting = await kit.waitForTrain(id, (s) => s.awaitingApproval);
      // Someone else changes b's alias between the waves (same version, new description: a new RevisionId).
      const outside = await kit.lambdaIn('eu-west-1').send(
        new UpdateAliasCommand({
          FunctionName: b,
          Name: 'live',
          FunctionVersion: waiting.waves[0]?.targets[1]?.candidateVersion ?? '',
          Description: 'pinned by hand',
        }),
      );
      await kit.trains.control(id, 'approve', {});
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);

      assert.equal(status.outcome, 'conflict');
      const [aTarget, bTarget] = status.waves[0]?.targets ?? [];
      assert.equal(aTarget?.outcome, 'rolled_back');
      assert.equal((await kit.aliasIn('us-east-1', a)).version, '1');
      assert.equal(bTarget?.outcome, 'conflict');
      assert.match(bTarget?.message ?? '', /the alias changed since Ramp promoted/);
      assert.equal(
        (await kit.aliasIn('eu-west-1', b)).revisionId,
        outside.RevisionId,
        'the outside change stands',
      );
    });
  });

  test('watchAfterWave catches a late regression after the wave promoted and rolls its targets back', async () => {
    // Instant metrics: the alarm is the signal here, not the metric delay.
    await withTrains({ healthGate: 'cloudwatch', metricDelayMs: 0 }, async (stack, kit) => {
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', b);
      const alarm = `${a}-errors`;
      stack.sim.alarms.put({
        name: alarm,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: a, Resource: `${a}:live` },
        statistic: 'Sum',
        threshold: 1000,
        comparison: 'GreaterThanThreshold',
        periodSeconds: 3600,
        evaluationPeriods: 1,
      });
      const id = await kit.startTrain({
        name: 'watched',
        defaults: { alias: 'live', strategy: 'AllAtOnce' },
        watchAfterWave: '1h',
        waves: [
          { name: 'one', targets: [target(a, 'us-east-1', { health: { interval: '1s', alarms: [alarm] } })] },
          { name: 'two', targets: [target(b, 'eu-west-1')] },
        ],
      });
      const watching = await kit.waitForTrain(id, (s) => s.phase === 'watching');
      assert.equal(watching.waves[0]?.targets[0]?.outcome, 'succeeded');
      stack.sim.alarms.setState('us-east-1', alarm, 'ALARM', 'errors after the promotion');
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);

      assert.equal(status.outcome, 'rolled_back');
      assert.equal(status.waves[0]?.targets[0]?.outcome, 'rolled_back');
      assert.match(status.waves[0]?.targets[0]?.message ?? '', /version \d+ → 1/);
      assert.equal(status.waves[1]?.state, 'skipped');
      assert.equal(status.waves[1]?.targets[0]?.outcome, 'not_started');
      assert.equal((await kit.aliasIn('us-east-1', a)).version, '1');
      assert.ok(status.timeline.some((e) => e.event === 'failure' && e.message.includes(alarm)));
    });
  });

  test('pause holds every running release and starts nothing new; abort rolls back everything that moved', async () => {
    await withTrains({}, async (stack, kit) => {
      const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('us-east-1', b);
      await kit.createFunctionIn('eu-west-1', c);
      const id = await kit.startTrain({
        name: 'held',
        defaults: { alias: 'live' },
        waves: [
          { name: 'one', targets: [target(a, 'us-east-1', { strategy: 'AllAtOnce' })] },
          {
            name: 'two',
            approval: true,
            maxParallel: 1,
            targets: [
              target(b, 'us-east-1', { strategy: { steps: [{ weight: 10, bake: '1h' }] } }),
              target(c, 'eu-west-1', { strategy: 'AllAtOnce' }),
            ],
          },
        ],
      });
      await kit.waitForTrain(id, (s) => s.awaitingApproval);
      await kit.trains.control(id, 'pause', { by: 'bob' });
      // The update returns once the workflow handled it: a start it would make, it has made by then.
      const approvedWhilePaused = await kit.trains.control(id, 'approve', {});
      assert.equal(approvedWhilePaused.phase, 'paused');
      assert.equal(approvedWhilePaused.waves[1]?.targets[0]?.phase, 'pending', 'nothing starts while paused');
      await kit.trains.control(id, 'resume', {});

      const baking = await kit.waitForTrain(id, (s) => s.waves[1]?.targets[0]?.phase === 'baking');
      const releaseId = baking.waves[1]?.targets[0]?.releaseId ?? '';
      const paused = await kit.trains.control(id, 'pause', { by: 'bob', reason: 'looking at a graph' });
      assert.equal(paused.isPaused, true);
      await waitForStatus(stack.releases, releaseId, (s) => s.isPaused);
      await assert.rejects(kit.trains.control(id, 'pause', {}), /already paused/);

      await kit.trains.control(id, 'resume', {});
      await waitForStatus(stack.releases, releaseId, (s) => !s.isPaused);
      const aborted = await kit.trains.control(id, 'abort', { by: 'bob', reason: 'wrong build' });
      assert.equal(aborted.outcome, null);
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);

      assert.equal(status.outcome, 'rolled_back');
      assert.deepEqual(
        status.waves.flatMap((w) => w.targets.map((t) => t.outcome)),
        ['rolled_back', 'rolled_back', 'not_started'],
      );
      assert.equal((await kit.aliasIn('us-east-1', a)).version, '1');
      assert.equal((await kit.aliasIn('us-east-1', b)).version, '1');
      assert.equal((await kit.aliasIn('us-east-1', b)).routing, undefined);
      const release = await stack.releases.status(releaseId);
      assert.ok(release.timeline.some((e) => e.event === 'pause' && e.message.includes('bob')));
      assert.ok(release.timeline.some((e) => e.event === 'abort' && e.message.includes('wrong build')));
    });
  });

  test('a train whose target aliases are busy is refused before anything starts, naming every busy alias', async () => {
    await withTrains({}, async (stack, kit) => {
      const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
      for (const fn of [a, b, c]) await kit.createFunctionIn('us-east-1', fn);
      const long = { steps: [{ weight: 10, bake: '1h' }] };
      const first = await stack.startRelease({
        function: b,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: long,
      });
      const second = await stack.startRelease({
        function: c,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: long,
      });

      // The dev server is shared with other test files, whose trains may be running: this one has its own name.
      const trainName = uniqueName('blocked');
      await assert.rejects(
        kit.startTrain({
          name: trainName,
          defaults: { alias: 'live', strategy: 'AllAtOnce' },
          waves: [
            { name: 'one', targets: [target(a, 'us-east-1')] },
            { name: 'two', targets: [target(b, 'us-east-1'), target(c, 'us-east-1')] },
          ],
        }),
        (error: Error & { type?: string }) => {
          assert.equal(error.type, 'AlreadyRunning');
          assert.ok(error.message.includes(`${b}:live`) && error.message.includes(first), error.message);
          assert.ok(error.message.includes(`${c}:live`) && error.message.includes(second), error.message);
          return true;
        },
      );
      assert.equal((await kit.aliasIn('us-east-1', a)).version, '1', 'nothing of the train started');
      const running = await kit.trains.list({ isRunning: true });
      assert.deepEqual(
        running.filter((train) => train.name === trainName),
        [],
        'the refused train never started',
      );
      for (const id of [first, second]) await stack.releases.control(id, 'abort', {});
    });
  });
});

describe('an alias that becomes busy while the train runs', () => {
  test('makes that target a conflict; the train starts no second release there and rolls back the rest', async () => {
    await withTrains({}, async (stack, kit) => {
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('us-east-1', b);
      const id = await kit.startTrain({
        name: 'raced',
        defaults: { alias: 'live', strategy: 'AllAtOnce' },
        waves: [
          { name: 'one', targets: [target(a, 'us-east-1')] },
          { name: 'two', approval: true, targets: [target(b, 'us-east-1')] },
        ],
      });
      await kit.waitForTrain(id, (s) => s.awaitingApproval);
      const single = await stack.startRelease({
        function: b,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      });
      await kit.trains.control(id, 'approve', {});
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);

      assert.equal(status.outcome, 'conflict');
      const bTarget = status.waves[1]?.targets[0];
      assert.equal(bTarget?.outcome, 'conflict');
      assert.equal(bTarget?.releaseId, null);
      assert.match(bTarget?.message ?? '', /a release is already running/);
      assert.equal(status.waves[0]?.targets[0]?.outcome, 'rolled_back');
      // The single release runs on untouched, through to its own bake.
      const other = await waitForStatus(
        stack.releases,
        single,
        (s) => s.phase === 'baking' || s.outcome !== null,
      );
      assert.equal(other.outcome, null, 'the single release runs on untouched');
      assert.equal(other.candidateWeightPercent, 10);
      await stack.releases.control(single, 'abort', {});
    });
  });
});

describe('a train cancelled in Temporal', () => {
  test('aborts its running releases and rolls back what it promoted, as an abort would', async () => {
    await withTrains({}, async (stack, kit) => {
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', b);
      const id = await kit.startTrain({
        name: 'cancelled',
        defaults: { alias: 'live' },
        waves: [
          { name: 'one', targets: [target(a, 'us-east-1', { strategy: 'AllAtOnce' })] },
          {
            name: 'two',
            targets: [target(b, 'eu-west-1', { strategy: { steps: [{ weight: 10, bake: '1h' }] } })],
          },
        ],
      });
      await kit.waitForTrain(id, (s) => s.waves[1]?.targets[0]?.phase === 'baking');
      await stack.client.workflow.getHandle(id).cancel();
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);

      assert.equal(status.outcome, 'rolled_back');
      assert.deepEqual(
        status.waves.flatMap((w) => w.targets.map((t) => t.outcome)),
        ['rolled_back', 'rolled_back'],
      );
      assert.equal((await kit.aliasIn('us-east-1', a)).version, '1');
      assert.equal((await kit.aliasIn('eu-west-1', b)).version, '1');
      assert.ok(
        status.timeline.some((e) => e.event === 'ended' && e.message.includes('cancelled in Temporal')),
      );
    });
  });
});
