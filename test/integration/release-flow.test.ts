import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { releaseSpecSchema } from '../../src/domain/spec.ts';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

describe('a release on the real dev server against the simulator', () => {
  test('shifts a canary step by step and promotes the new version to 100%', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('orders', {
        strategy: {
          steps: [
            { weight: 10, bake: '100ms' },
            { weight: 50, bake: '100ms' },
          ],
        },
        description: 'v2',
      });

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded');
      assert.equal(status.stableVersion, stableVersion);
      const candidate = status.candidateVersion;
      assert.ok(candidate && candidate !== stableVersion);
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, candidate);
      assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      const shifts = stack.sim
        .aliasHistory(fn, 'live')
        .map((state) => [state.functionVersion, state.additionalVersionWeights]);
      assert.deepEqual(shifts, [
        [stableVersion, {}],
        [stableVersion, { [candidate]: 0.1 }],
        [stableVersion, { [candidate]: 0.5 }],
        [candidate, {}],
      ]);
    });
  });

  test('creates the alias on the new version on a first release that asks for it', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('first');
      await stack.createFunctionWithAlias(fn, 'staging');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        createAlias: true,
        code: { zipFile: zipBase64() },
        strategy: 'Canary10Percent5Minutes',
      });

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded');
      assert.equal(status.stableVersion, null);
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.candidateVersion);
      assert.ok(status.timeline.some((entry) => entry.event === 'alias_created'));
    });
  });

  test('publishes only the uploaded code, guarded by its CodeSha256 and the RevisionId after the update', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id } = await stack.releaseNewFunction('guarded', {
        strategy: 'AllAtOnce',
      });

      await waitForEnd(stack.releases, id);

      const calls = stack.sim.calls().filter((call) => call.functionName === fn);
      const update = calls.find((call) => call.operation === 'UpdateFunctionCode');
      const publish = calls.find((call) => call.operation === 'PublishVersion');
      assert.ok(update?.request.RevisionId, 'UpdateFunctionCode carries a RevisionId guard');
      assert.ok(publish?.request.CodeSha256, 'PublishVersion carries the CodeSha256 guard');
      assert.ok(publish?.request.RevisionId, 'PublishVersion carries a RevisionId guard');
      assert.notEqual(publish.request.RevisionId, update.request.RevisionId);
    });
  });

  test('reads the function and its alias once, in the preflight, and makes one budgeted call per budgeted task', async () => {
    await withReleaseStack({ lambdaBudgetPerSecond: 7.5 }, async (stack) => {
      const { fn, id } = await stack.releaseNewFunction('lean', { strategy: 'AllAtOnce' });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'succeeded');
      assert.equal(status.stableVersion, '1', 'the starting point: the alias as the preflight read it');

      // The release's own calls: after the setup's CreateAlias.
      const all = stack.sim.calls().filter((call) => call.functionName === fn);
      const calls = all.slice(all.findIndex((call) => call.operation === 'CreateAlias') + 1);
      const beforeUpdate = calls.slice(
        0,
        calls.findIndex((call) => call.operation === 'UpdateFunctionCode'),
      );
      assert.deepEqual(
        beforeUpdate.map((call) => call.operation),
        ['GetFunction', 'GetAlias'],
      );
      // In the history: where the budgeted calls go is a local activity (a marker), then the preflight on
      // the budgeted queue, and no readTarget.
      const parsed = parseReleaseId(id);
      if (!parsed) throw new Error(`bad release id ${id}`);
      const events =
        (await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory()).events ?? [];
      const tasks = events.flatMap((event) => {
        const attributes = event.activityTaskScheduledEventAttributes;
        return attributes ? [{ name: attributes.activityType?.name, queue: attributes.taskQueue?.name }] : [];
      });
      const scheduled = tasks.map((task) => task.name);
      assert.deepEqual(scheduled.slice(0, 2), ['preflight', 'updateFunctionCode']);
      // The budget counts task starts on the budgeted queue: each makes one call that counts against the
      // quota (every Lambda call but GetFunction), so the budget bounds the calls (docs/scale.md).
      const budgetedCalls = calls.filter((call) => call.operation !== 'GetFunction');
      assert.deepEqual(
        budgetedCalls.map((call) => call.operation),
        [
          'GetAlias',
          'UpdateFunctionCode',
          'ListVersionsByFunction',
          'PublishVersion',
          'UpdateAlias',
          'GetAlias',
        ],
      );
      assert.equal(tasks.filter((task) => task.queue === stack.lambdaQueue).length, budgetedCalls.length);
      assert.ok(!scheduled.includes('lambdaBudgetQueue') && !scheduled.includes('readTarget'));
      assert.equal(
        events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity')
          .length,
        1,
      );
    });
  });

  test('refuses a second release for the same alias while one runs, naming the running release', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('busy');
      await stack.createFunctionWithAlias(fn, 'live');
      const spec = {
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      };
      const first = await stack.startRelease(spec);

      await assert.rejects(
        stack.startRelease({ ...spec, code: { zipFile: zipBase64() } }),
        (error: Error & { type?: string; details?: Record<string, unknown> }) => {
          assert.equal(error.type, 'AlreadyRunning');
          assert.equal(error.details?.runningReleaseId, first);
          return true;
        },
      );
      await stack.releases.control(first, 'abort', { by: 'test' });
      assert.equal((await waitForEnd(stack.releases, first)).outcome, 'rolled_back');
    });
  });

  test('an Idempotency-Key returns the release it started instead of starting another', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('idem');
      await stack.createFunctionWithAlias(fn, 'live');
      const spec = {
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      };
      const first = await stack.releases.start(releaseSpecSchema.parse(spec), {
        idempotencyKey: 'ci-run-42',
      });
      const again = await stack.releases.start(releaseSpecSchema.parse(spec), {
        idempotencyKey: 'ci-run-42',
      });

      assert.equal(again.releaseId, first.releaseId);
      assert.equal(again.isExisting, true);
      await stack.releases.control(first.releaseId, 'abort', {});
      await waitForEnd(stack.releases, first.releaseId);
    });
  });
});

describe('strategy kinds end to end', () => {
  test('a linear shift walks every step to 100%, and a predefined canary starts at its 10%', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('linear');
      await stack.createFunctionWithAlias(fn, 'live');
      const linear = Array.from({ length: 9 }, (_, i) => ({ weight: (i + 1) * 10, bake: '20ms' }));
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: linear },
      });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'succeeded');
      const weights = stack.sim
        .aliasHistory(fn, 'live')
        .map((s) => Object.values(s.additionalVersionWeights)[0] ?? 0);
      assert.deepEqual(weights, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0]);

      const canaryFn = uniqueName('canary');
      await stack.createFunctionWithAlias(canaryFn, 'live');
      const canaryId = await stack.startRelease({
        function: canaryFn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      });
      const baking = await waitForStatus(stack.releases, canaryId, (s) => s.phase === 'baking');
      assert.equal(baking.candidateWeightPercent, 10);
      assert.ok(
        baking.bakeEndsAt && Date.parse(baking.bakeEndsAt) - Date.now() > 4 * 60_000,
        'bakes for five minutes',
      );
      await stack.releases.control(canaryId, 'promote', { by: 'test' });
      assert.equal((await waitForEnd(stack.releases, canaryId)).outcome, 'succeeded');
    });
  });

  test('reports, rather than hides, that Lambda returned an existing version when the code did not change', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('same');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64({}, `${fn}-v1`) },
        strategy: 'AllAtOnce',
      });

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded');
      assert.equal(status.candidateVersion, stableVersion);
      assert.ok(
        status.timeline.some((e) => e.event === 'version_published' && /existing version/.test(e.message)),
      );
      assert.ok(status.timeline.some((e) => e.event === 'no_change'));
    });
  });
});
