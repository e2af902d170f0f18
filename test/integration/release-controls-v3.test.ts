/** Controls that contradict an earlier decision are refused, and controls act at once in every phase. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

const refusedWith = (pattern: RegExp) => (error: Error & { type?: string }) => {
  assert.equal(error.type, 'InvalidState');
  assert.match(error.message, pattern);
  return true;
};

describe('controls after a decision', () => {
  test('a second abort and a promote after an abort are refused with the first abort named', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('twoaborts');
      await stack.createFunctionWithAlias(fn, 'live');
      // A slowed shift keeps the release running after the abort: the write is never abandoned.
      stack.sim.faults.latency({ operation: 'UpdateAlias', functionName: fn, ms: 3_000, count: 1 });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1h' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'shifting');
      await stack.releases.control(id, 'abort', { by: 'alice', reason: 'wrong build' });
      await assert.rejects(
        stack.releases.control(id, 'abort', { by: 'bob' }),
        refusedWith(/alice: wrong build/),
      );
      await assert.rejects(
        stack.releases.control(id, 'promote', {}),
        refusedWith(/already aborted by alice/),
      );
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back');
      assert.match(status.lastError?.message ?? '', /alice: wrong build/);
      const last = stack.sim.aliasHistory(fn, 'live').at(-1);
      assert.deepEqual(last?.additionalVersionWeights, {});
    });
  });

  test('an abort during a slow code update ends the release within seconds, not after the update', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('abortupdate');
      await stack.createFunctionWithAlias(fn, 'live');
      stack.sim.faults.slowNextUpdate({ functionName: fn, ms: 60_000 });
      const id = await stack.startRelease({ function: fn, alias: 'live', code: { zipFile: zipBase64() } });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'updating_code', 30_000);
      const abortedAt = Date.now();
      await stack.releases.control(id, 'abort', {});
      const status = await waitForEnd(stack.releases, id, 20_000);
      assert.equal(status.outcome, 'rolled_back');
      assert.ok(Date.now() - abortedAt < 20_000);
      assert.equal(stack.sim.calls().filter((c) => c.operation === 'PublishVersion').length, 0);
    });
  });

  test('a pause during an approval wait stops the approval clock', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('pauseapproval');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '10ms', approval: true }] },
        approvalTimeout: '3s',
        maxPause: '1h',
      });
      await waitForStatus(stack.releases, id, (s) => s.awaitingApproval);
      await stack.releases.control(id, 'pause', {});
      await waitForStatus(stack.releases, id, (s) => s.phase === 'paused');
      // Longer than the approval timeout, while paused: the approval must still be possible afterwards.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const stillRunning = await stack.releases.status(id);
      assert.equal(stillRunning.outcome, null);
      await stack.releases.control(id, 'resume', {});
      await waitForStatus(stack.releases, id, (s) => s.phase === 'awaiting_approval');
      await stack.releases.control(id, 'approve', {});
      assert.equal((await waitForEnd(stack.releases, id)).outcome, 'succeeded');
    });
  });

  test('promote moves to the next step; promote --full skips the rest; a promote ends a pause', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('promotesteps');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: {
          steps: [
            { weight: 10, bake: '1h' },
            { weight: 30, bake: '1h' },
            { weight: 60, bake: '1h' },
          ],
        },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking' && s.stepIndex === 0);
      const next = await stack.releases.control(id, 'promote', { by: 'dan' });
      assert.equal(next.outcome, null);
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking' && s.stepIndex === 1);
      assert.equal((await stack.releases.status(id)).candidateWeightPercent, 30);

      await stack.releases.control(id, 'pause', {});
      await waitForStatus(stack.releases, id, (s) => s.phase === 'paused');
      const full = await stack.releases.control(id, 'promote', { full: true });
      assert.equal(full.isPaused, false);
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'succeeded');
      assert.equal(status.isPaused, false);
      const weights = stack.sim
        .aliasHistory(fn, 'live')
        .map((state) => Object.values(state.additionalVersionWeights)[0] ?? 0);
      assert.ok(!weights.some((w) => Math.abs(w - 0.6) < 1e-9), 'the 60% step was skipped');
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.candidateVersion);
    });
  });
});
