/**
 * The holes issue 10 found in the first release workflow, each as the scenario a user met, against the
 * real dev server, a real Worker and the real AWS SDK pointed at the simulator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

// These tests are about when Ramp watches, not about CloudWatch's delay: metrics are visible at once.
const instantMetrics = { healthGate: 'cloudwatch', metricDelayMs: 0 } as const;

const health = {
  interval: '1s',
  metrics: { minInvocations: 10, insufficientTraffic: 'pass', errorRate: { max: 0.1 } },
} as const;

describe('health is watched whenever traffic is on the candidate', () => {
  test('a candidate that goes bad during an approval wait is rolled back without an approval', async () => {
    await withReleaseStack(instantMetrics, async (stack) => {
      const fn = uniqueName('approvalwatch');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 40 });
      try {
        const id = await stack.startRelease({
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: {
            steps: [
              { weight: 50, bake: '1s' },
              { weight: 100, approval: true },
            ],
          },
          health,
        });
        const waiting = await waitForStatus(stack.releases, id, (s) => s.awaitingApproval, 30_000);
        stack.sim.faults.versionBehaviour(fn, waiting.candidateVersion ?? '', { errorRate: 0.9 });

        const status = await waitForEnd(stack.releases, id, 60_000);
        assert.equal(status.outcome, 'rolled_back');
        assert.equal(status.lastError?.type, 'Unhealthy');
        const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
        assert.equal(alias.FunctionVersion, stableVersion);
        assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      } finally {
        traffic.stop();
      }
    });
  });

  test('a candidate that goes bad while the release is paused is rolled back: a pause holds the plan, not the net', async () => {
    await withReleaseStack(instantMetrics, async (stack) => {
      const fn = uniqueName('pausewatch');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 40 });
      try {
        const id = await stack.startRelease({
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: { steps: [{ weight: 50, bake: '1h' }] },
          health,
        });
        const baking = await waitForStatus(stack.releases, id, (s) => s.phase === 'baking', 30_000);
        await stack.releases.control(id, 'pause', { by: 'carol' });
        await waitForStatus(stack.releases, id, (s) => s.phase === 'paused');
        stack.sim.faults.versionBehaviour(fn, baking.candidateVersion ?? '', { errorRate: 0.9 });

        const status = await waitForEnd(stack.releases, id, 60_000);
        assert.equal(status.outcome, 'rolled_back');
        assert.equal(status.lastError?.type, 'Unhealthy');
        assert.equal(status.isPaused, false);
        const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
        assert.equal(alias.FunctionVersion, stableVersion);
      } finally {
        traffic.stop();
      }
    });
  });

  test('a pause longer than maxPause rolls the release back', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('maxpause');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
        maxPause: '1s',
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
      await stack.releases.control(id, 'pause', {});
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back');
      assert.equal(status.lastError?.type, 'PauseTimedOut');
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, stableVersion);
    });
  });
});

describe('alias writes are never abandoned half-way', () => {
  test('cancelling the workflow during a slowed first shift rolls the alias back, not left split', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('cancelwrite');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      stack.sim.faults.latency({ operation: 'UpdateAlias', functionName: fn, ms: 2_000, count: 1 });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'shifting');
      const parsed = parseReleaseId(id);
      assert.ok(parsed);
      await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).cancel();

      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back');
      const history = stack.sim.aliasHistory(fn, 'live');
      const last = history.at(-1);
      assert.equal(last?.functionVersion, stableVersion);
      assert.deepEqual(last?.additionalVersionWeights, {});
      assert.ok(
        history.some((state) => Object.keys(state.additionalVersionWeights).length > 0),
        'the slowed shift did land, so the rollback had something to undo',
      );
    });
  });

  test('a later shift cancelled mid-write is rolled back through the re-read, not ended needs_attention', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('cancellater');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: {
          steps: [
            { weight: 10, bake: '200ms' },
            { weight: 50, bake: '1h' },
          ],
        },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking' && s.stepIndex === 0);
      stack.sim.faults.latency({ operation: 'UpdateAlias', functionName: fn, ms: 2_000, count: 1 });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'shifting' && s.stepIndex === 1);
      const parsed = parseReleaseId(id);
      assert.ok(parsed);
      await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).cancel();

      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back', JSON.stringify(status.lastError));
      const last = stack.sim.aliasHistory(fn, 'live').at(-1);
      assert.equal(last?.functionVersion, stableVersion);
      assert.deepEqual(last?.additionalVersionWeights, {});
    });
  });

  test('a shift whose answer is lost and whose retries then fail still ends with the alias back on stable', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('lostshift');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      // The shift lands but its answer is lost; every retry then meets a server error until the
      // control-plane class gives up... which takes 30 minutes: so the release is aborted meanwhile.
      stack.sim.faults.loseResponse({ operation: 'UpdateAlias', functionName: fn, count: 1 });
      stack.sim.faults.serviceError({ operation: 'UpdateAlias', functionName: fn, count: 3 });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'shifting');
      await stack.releases.control(id, 'abort', { reason: 'stop' });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back', JSON.stringify(status.lastError));
      const last = stack.sim.aliasHistory(fn, 'live').at(-1);
      assert.equal(last?.functionVersion, stableVersion);
      assert.deepEqual(last?.additionalVersionWeights, {});
    });
  });
  test('a shift whose answer is lost and whose retry is then refused for good rolls back: no split is left', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('lostdenied');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      // The first shift lands but its answer is lost; the retry meets an AccessDenied (someone took the
      // permission away), which no retry fixes: the shift fails for good with traffic already moved.
      stack.sim.faults.loseResponse({ operation: 'UpdateAlias', functionName: fn, count: 1 });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      });
      // Refusals are decided before a call runs, so the refusal is armed once the lost shift has landed
      // (the retry follows a second later, after Temporal's first retry interval).
      const landed = await eventually(
        () => stack.sim.calls().some((c) => c.operation === 'UpdateAlias' && c.functionName === fn),
        Boolean,
        20_000,
        10,
      );
      assert.ok(landed, 'the first shift reached the simulator');
      stack.sim.faults.accessDenied({ operation: 'UpdateAlias', functionName: fn, count: 1 });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back', JSON.stringify(status.lastError));
      assert.equal(status.lastError?.type, 'AccessDenied');
      const history = stack.sim.aliasHistory(fn, 'live');
      assert.ok(
        history.some((state) => state.additionalVersionWeights[status.candidateVersion ?? ''] === 0.1),
        'the lost shift did land, so there was a split to undo',
      );
      const last = history.at(-1);
      assert.equal(last?.functionVersion, stableVersion);
      assert.deepEqual(last?.additionalVersionWeights, {});
      const refused = stack.sim.calls().filter((call) => call.errorType === 'AccessDeniedException');
      assert.equal(refused.length, 1);
    });
  });
});

describe('refused before anything is written', () => {
  test('an alias that points at $LATEST is refused: no Lambda mutation at all', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('latest');
      await stack.createFunctionWithAlias(fn, 'live');
      await stack.lambda.send(
        new UpdateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '$LATEST' }),
      );
      const callsBefore = stack.sim.calls().length;
      const id = await stack.startRelease({ function: fn, alias: 'live', code: { zipFile: zipBase64() } });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rejected');
      assert.match(status.lastError?.message ?? '', /\$LATEST/);
      const mutations = stack.sim
        .calls()
        .slice(callsBefore)
        .filter((call) => !/^(Get|List|Describe)/.test(call.operation));
      assert.deepEqual(mutations, []);
    });
  });

  test('a typo in the alias name is refused instead of creating a new alias; createAlias creates one', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('aliastypo');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({ function: fn, alias: 'staging', code: { zipFile: zipBase64() } });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rejected');
      assert.match(status.lastError?.message ?? '', /staging/);
      assert.equal(stack.sim.aliasHistory(fn, 'staging').length, 0);

      const created = await stack.startRelease({
        function: fn,
        alias: 'staging',
        createAlias: true,
        code: { zipFile: zipBase64() },
      });
      assert.equal((await waitForEnd(stack.releases, created)).outcome, 'succeeded');
    });
  });

  test('every problem is listed at once: a missing alarm and a missing alias, and nothing is uploaded', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('manyproblems');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'lvie',
        code: { zipFile: zipBase64() },
        health: { alarms: ['hello-errrors'] },
      });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rejected');
      assert.match(status.lastError?.message ?? '', /hello-errrors/);
      assert.match(status.lastError?.message ?? '', /lvie/);
      assert.equal(stack.sim.calls().filter((c) => c.operation === 'UpdateFunctionCode').length, 0);
    });
  });

  test('a function that does not exist is rejected, not failed', async () => {
    await withReleaseStack({}, async (stack) => {
      const id = await stack.startRelease({
        function: uniqueName('nosuchfn'),
        alias: 'live',
        code: { zipFile: zipBase64() },
      });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rejected');
    });
  });

  test('a canary with no health checks says so in its timeline', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('blind');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '10ms' }] },
      });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'succeeded');
      assert.ok(status.timeline.some((e) => e.event === 'warning' && /no health checks/.test(e.message)));
    });
  });
});

describe('success is only reported after a read-back', () => {
  test('the first release (CreateAlias) and "already on this version" both read the alias back', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('readback');
      await stack.createFunctionWithAlias(fn, 'live');
      const zip = zipBase64({}, `${fn}-same`);
      const first = await stack.startRelease({
        function: fn,
        alias: 'fresh',
        createAlias: true,
        code: { zipFile: zip },
      });
      assert.equal((await waitForEnd(stack.releases, first)).outcome, 'succeeded');
      const created = stack.sim
        .calls()
        .findIndex((c) => c.operation === 'CreateAlias' && c.functionName === fn);
      assert.ok(
        stack.sim
          .calls()
          .slice(created + 1)
          .some((c) => c.operation === 'GetAlias'),
        'GetAlias after CreateAlias',
      );

      const again = await stack.startRelease({ function: fn, alias: 'fresh', code: { zipFile: zip } });
      const status = await waitForEnd(stack.releases, again);
      assert.equal(status.outcome, 'succeeded');
      assert.ok(status.timeline.some((e) => e.event === 'no_change'));
    });
  });
});
