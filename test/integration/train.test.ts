import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrainSpecInput } from '../../src/domain/train-spec.ts';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { outcomesOf, type TrainKit, trainKit } from '../helpers/train-stack.ts';

const quick = { steps: [{ weight: 20, bake: '300ms' }] };

async function withTrains<T>(body: (stack: ReleaseStack, kit: TrainKit) => Promise<T>): Promise<T> {
  return withReleaseStack({}, async (stack) => {
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

/** When each child release of a train ran, from Temporal's own record of the child workflows. */
async function runTimes(stack: ReleaseStack, releaseIds: string[]) {
  return Promise.all(
    releaseIds.map(async (id) => {
      const [region, fn, alias, runId] = id.split('.');
      const described = await stack.client.workflow
        .getHandle(`release.${region}.${fn}.${alias}`, runId)
        .describe();
      return {
        id,
        start: described.startTime.getTime(),
        close: described.closeTime?.getTime() ?? Number.POSITIVE_INFINITY,
      };
    }),
  );
}

describe('release trains', () => {
  test('runs waves in order, at most maxParallel releases of a wave at once, and promotes every target', async () => {
    await withTrains(async (stack, kit) => {
      const [a, b, c] = [uniqueName('api'), uniqueName('worker'), uniqueName('cron')];
      for (const region of ['us-east-1', 'eu-west-1'])
        for (const fn of [a, b, c]) await kit.createFunctionIn(region, fn);
      const spec: TrainSpecInput = {
        name: 'shop 2.0',
        defaults: { alias: 'live', strategy: quick },
        waves: [
          { name: 'canary', targets: [target(a, 'us-east-1')] },
          {
            name: 'rest',
            maxParallel: 2,
            targets: [
              target(b, 'us-east-1'),
              target(c, 'us-east-1'),
              target(a, 'eu-west-1'),
              target(b, 'eu-west-1'),
              target(c, 'eu-west-1'),
            ],
          },
        ],
      };
      const id = await kit.startTrain(spec);
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null, 120_000);

      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.timeline, null, 2));
      assert.deepEqual(
        status.waves.map((w) => w.state),
        ['promoted', 'promoted'],
      );
      for (const wave of status.waves)
        for (const t of wave.targets) {
          const alias = await kit.aliasIn(t.region, t.function);
          assert.equal(alias.version, t.candidateVersion, `${t.function}@${t.region} is on its new version`);
          assert.notEqual(alias.version, t.stableVersion);
        }
      const [canary] = await runTimes(stack, status.waves[0]?.targets.map((t) => t.releaseId ?? '') ?? []);
      const rest = await runTimes(stack, status.waves[1]?.targets.map((t) => t.releaseId ?? '') ?? []);
      assert.ok(
        rest.every((run) => run.start >= (canary?.close ?? 0)),
        'wave 2 starts after wave 1 has ended',
      );
      const mostAtOnce = Math.max(
        ...rest.map((run) => rest.filter((o) => o.start <= run.start && o.close > run.start).length),
      );
      assert.ok(mostAtOnce <= 2, `at most 2 releases of the wave ran at once (saw ${mostAtOnce})`);
      assert.ok(mostAtOnce === 2, 'the wave did run releases in parallel');
    });
  });

  test('a wave with approval waits, starting nothing, until the train is approved', async () => {
    await withTrains(async (_stack, kit) => {
      const [a, b] = [uniqueName('api'), uniqueName('worker')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', b);
      const id = await kit.startTrain({
        name: 'gated',
        defaults: { alias: 'live', strategy: 'AllAtOnce' },
        waves: [
          { name: 'first', targets: [target(a, 'us-east-1')] },
          { name: 'second', approval: true, targets: [target(b, 'eu-west-1')] },
        ],
      });
      const waiting = await kit.waitForTrain(id, (s) => s.awaitingApproval);
      assert.equal(waiting.phase, 'awaiting_approval');
      assert.equal(waiting.waves[1]?.state, 'awaiting_approval');
      assert.equal(waiting.waves[1]?.targets[0]?.releaseId, null, 'nothing of wave 2 started');
      assert.equal((await kit.aliasIn('eu-west-1', b)).version, '1');

      await kit.trains.control(id, 'approve', { by: 'alice' });
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);
      assert.equal(status.outcome, 'succeeded');
      assert.ok(status.timeline.some((e) => e.event === 'approve' && e.message.includes('alice')));
      await assert.rejects(kit.trains.control(id, 'approve', {}), /already ended/);
    });
  });

  for (const onFailure of ['rollback-train', 'stop'] as const) {
    test(`a failure in wave 2 aborts the wave's other releases and, with ${onFailure}, ${onFailure === 'stop' ? 'leaves wave 1 promoted' : 'rolls wave 1 back newest first'}`, async () => {
      await withTrains(async (_stack, kit) => {
        const [a, b, c, d] = [uniqueName('a'), uniqueName('b'), uniqueName('c'), uniqueName('d')];
        await kit.createFunctionIn('us-east-1', a);
        await kit.createFunctionIn('eu-west-1', b);
        await kit.createFunctionIn('us-east-1', c);
        await kit.createFunctionIn('eu-west-1', d);
        const id = await kit.startTrain({
          name: `failing ${onFailure}`,
          onFailure,
          defaults: { alias: 'live', strategy: 'AllAtOnce' },
          waves: [
            { name: 'one', targets: [target(a, 'us-east-1'), target(b, 'eu-west-1')] },
            {
              name: 'two',
              targets: [
                target(c, 'us-east-1', { strategy: { steps: [{ weight: 10, bake: '1h' }] } }),
                // The preflight refuses it (no such alias): the wave's failure.
                target(d, 'eu-west-1', { alias: 'missing' }),
              ],
            },
          ],
        });
        const status = await kit.waitForTrain(id, (s) => s.outcome !== null, 90_000);
        const [[aOut, bOut], [cOut, dOut]] = outcomesOf(status) as [string[], string[]];
        assert.equal(dOut, `${d}@eu-west-1: rejected`);
        assert.equal(cOut, `${c}@us-east-1: rolled_back`, 'the running release of the wave was aborted');
        assert.equal((await kit.aliasIn('us-east-1', c)).version, '1');
        if (onFailure === 'rollback-train') {
          assert.equal(status.outcome, 'rolled_back');
          assert.deepEqual([aOut, bOut], [`${a}@us-east-1: rolled_back`, `${b}@eu-west-1: rolled_back`]);
          assert.equal((await kit.aliasIn('us-east-1', a)).version, '1');
          assert.equal((await kit.aliasIn('eu-west-1', b)).version, '1');
          const reverted = status.timeline
            .filter((e) => e.event === 'target_rolled_back')
            .map((e) => e.message);
          assert.equal(reverted.length, 2);
          const promotedOrder = status.timeline
            .filter((e) => e.event === 'target_promoted')
            .map((e) => e.message.split(':')[0]);
          assert.deepEqual(
            reverted.map((m) => m.split(':')[0]),
            [...promotedOrder].reverse(),
            'newest promotion first',
          );
        } else {
          assert.equal(status.outcome, 'stopped');
          assert.deepEqual([aOut, bOut], [`${a}@us-east-1: succeeded`, `${b}@eu-west-1: succeeded`]);
          assert.equal(
            (await kit.aliasIn('us-east-1', a)).version,
            status.waves[0]?.targets[0]?.candidateVersion,
          );
          assert.equal(
            (await kit.aliasIn('eu-west-1', b)).version,
            status.waves[0]?.targets[1]?.candidateVersion,
          );
        }
      });
    });
  }

  test('a release inside a train can be aborted on its own, and the train reacts to its outcome', async () => {
    await withTrains(async (stack, kit) => {
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', b);
      const id = await kit.startTrain({
        name: 'one aborted',
        defaults: { alias: 'live' },
        waves: [
          {
            name: 'one',
            targets: [target(a, 'us-east-1', { strategy: { steps: [{ weight: 10, bake: '1h' }] } })],
          },
          { name: 'two', targets: [target(b, 'eu-west-1', { strategy: 'AllAtOnce' })] },
        ],
      });
      const baking = await kit.waitForTrain(id, (s) => s.waves[0]?.targets[0]?.phase === 'baking');
      await stack.releases.control(baking.waves[0]?.targets[0]?.releaseId ?? '', 'abort', { by: 'carol' });
      const status = await kit.waitForTrain(id, (s) => s.outcome !== null);

      assert.equal(status.outcome, 'rolled_back');
      assert.deepEqual(outcomesOf(status), [
        [`${a}@us-east-1: rolled_back`],
        [`${b}@eu-west-1: not_started`],
      ]);
      assert.equal(status.waves[1]?.state, 'skipped');
      assert.equal((await kit.aliasIn('eu-west-1', b)).version, '1');
    });
  });
});
