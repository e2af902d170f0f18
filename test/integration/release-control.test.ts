import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { withReleaseStack } from '../helpers/release-stack.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

describe('controlling a running release', () => {
  test('waits for approval at an approval step, then promotes once approved', async () => {
    await withReleaseStack({}, async (stack) => {
      const { id } = await stack.releaseNewFunction('approve', {
        strategy: { steps: [{ weight: 25, bake: '50ms', approval: true }] },
      });
      const waiting = await waitForStatus(stack.releases, id, (s) => s.awaitingApproval);
      assert.equal(waiting.candidateWeightPercent, 25);

      await stack.releases.control(id, 'approve', { by: 'alice' });
      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded');
      assert.ok(
        status.timeline.some((entry) => entry.event === 'approve' && entry.message.includes('alice')),
      );
    });
  });

  test('refuses an approval that nothing waits for, with the reason', async () => {
    await withReleaseStack({}, async (stack) => {
      const { id } = await stack.releaseNewFunction('noapprove', {
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');

      await assert.rejects(stack.releases.control(id, 'approve', {}), (error: Error & { type?: string }) => {
        assert.equal(error.type, 'InvalidState');
        assert.match(error.message, /not waiting for an approval/);
        return true;
      });
      await stack.releases.control(id, 'abort', {});
      await waitForEnd(stack.releases, id);
    });
  });

  test('pause holds the bake until resume, and promote skips the remaining steps', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id } = await stack.releaseNewFunction('pause', {
        strategy: {
          steps: [
            { weight: 10, bake: '300ms' },
            { weight: 50, bake: '1h' },
          ],
        },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking' && s.stepIndex === 0);
      const paused = await stack.releases.control(id, 'pause', { by: 'bob' });
      assert.equal(paused.isPaused, true);
      await waitForStatus(stack.releases, id, (s) => s.phase === 'paused');
      const weightsWhilePaused = stack.sim.aliasHistory(fn, 'live').length;

      await stack.releases.control(id, 'resume', {});
      await waitForStatus(stack.releases, id, (s) => s.stepIndex === 1 && s.phase === 'baking');
      assert.ok(stack.sim.aliasHistory(fn, 'live').length > weightsWhilePaused);
      await stack.releases.control(id, 'promote', {});
      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded');
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.candidateVersion);
    });
  });

  test('abort during a bake rolls the alias back to the stable version', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('abort', {
        strategy: { steps: [{ weight: 30, bake: '1h' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');

      await stack.releases.control(id, 'abort', { reason: 'wrong build' });
      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'rolled_back');
      assert.match(status.lastError?.message ?? '', /wrong build/);
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, stableVersion);
      assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    });
  });

  test('an unhealthy verdict rolls the alias back and the timeline shows the failing verdict', async () => {
    const gate = { check: async () => ({ status: 'fail' as const, message: 'error rate 40% > 1%' }) };
    await withReleaseStack({ healthGate: gate }, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('unhealthy', {
        strategy: { steps: [{ weight: 10, bake: '50ms' }] },
        // The gate judges releases that ask for health checks; one without them only bakes.
        health: { interval: '1s', metrics: { errorRate: { max: 0.01 } } },
      });

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'rolled_back');
      assert.ok(
        status.timeline.some((e) => e.event === 'health_verdict' && e.message.includes('error rate 40%')),
      );
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, stableVersion);
    });
  });

  test('cancelling the workflow (as from the Temporal UI) still rolls back', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('cancel', {
        strategy: { steps: [{ weight: 30, bake: '1h' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
      const parsed = parseReleaseId(id);
      assert.ok(parsed);
      await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).cancel();

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'rolled_back');
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, stableVersion);
    });
  });
});
