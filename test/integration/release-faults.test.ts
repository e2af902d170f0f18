import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd } from '../helpers/wait-for.ts';

describe('faults Lambda throws at a release', () => {
  test('throttling with Retry-After is retried and the release still succeeds', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id } = await stack.releaseNewFunction(
        'throttled',
        { strategy: { steps: [{ weight: 10, bake: '10ms' }] } },
        () => {
          stack.sim.faults.throttle({ operation: 'UpdateFunctionCode', count: 2, retryAfterSeconds: 1 });
          stack.sim.faults.throttle({ operation: 'UpdateAlias', count: 1, retryAfterSeconds: 1 });
        },
      );

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded');
      const throttled = stack.sim.calls().filter((call) => call.status === 429);
      assert.equal(throttled.length, 3);
      const updates = stack.sim
        .calls()
        .filter((call) => call.operation === 'UpdateFunctionCode' && call.functionName === fn);
      const gapsMs = updates.slice(1).map((call, i) => call.at - (updates[i]?.at ?? 0));
      for (const gap of gapsMs) assert.ok(gap >= 900, `retry waited for Retry-After (${gap} ms)`);
    });
  });

  test('an update that ends Failed fails the release with Lambda reason, leaving the alias alone', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('failed-update', {}, (fn) =>
        stack.sim.faults.failNextUpdate({
          functionName: fn,
          reasonCode: 'InvalidImage',
          reason: 'The image manifest is invalid',
        }),
      );

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'failed');
      assert.equal(status.lastError?.type, 'UpdateFailed');
      assert.match(status.lastError?.message ?? '', /The image manifest is invalid.*InvalidImage/);
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, stableVersion);
    });
  });

  test('lost responses from UpdateFunctionCode, PublishVersion and UpdateAlias are recognised as Ramp own effects', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id } = await stack.releaseNewFunction(
        'lost',
        { strategy: { steps: [{ weight: 10, bake: '10ms' }] } },
        () => {
          stack.sim.faults.loseResponse({ operation: 'UpdateFunctionCode', count: 1 });
          stack.sim.faults.loseResponse({ operation: 'PublishVersion', count: 1 });
          stack.sim.faults.loseResponse({ operation: 'UpdateAlias', count: 1 });
        },
      );

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.candidateVersion);
      const published = stack.sim
        .calls()
        .filter(
          (call) => call.operation === 'PublishVersion' && call.functionName === fn && call.status === 201,
        );
      assert.equal(published.length, 1, 'exactly one version was published');
    });
  });

  test('ServiceException 5xx is retried', async () => {
    await withReleaseStack({}, async (stack) => {
      const { id } = await stack.releaseNewFunction('flaky', { strategy: 'AllAtOnce' }, () =>
        stack.sim.faults.serviceError({ operation: 'PublishVersion', count: 2 }),
      );

      assert.equal((await waitForEnd(stack.releases, id)).outcome, 'succeeded');
    });
  });
});

describe('a throttling storm', () => {
  test('with more than half of all Lambda calls answered 429, every release still completes', async () => {
    await withReleaseStack({}, async (stack) => {
      const functions = [uniqueName('storm'), uniqueName('storm')];
      for (const fn of functions) await stack.createFunctionWithAlias(fn, 'live');
      const before = stack.sim.calls().length;
      stack.sim.faults.throttle({ probability: 0.7, retryAfterSeconds: 1 });
      const ids = await Promise.all(
        functions.map((fn) =>
          stack.startRelease({
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64() },
            strategy: { steps: [{ weight: 10, bake: '10ms' }] },
          }),
        ),
      );

      const statuses = await Promise.all(ids.map((id) => waitForEnd(stack.releases, id, 240_000))).catch(
        (error: Error) => {
          const byOperation: Record<string, number> = {};
          for (const call of stack.sim.calls().slice(before))
            byOperation[`${call.operation} ${call.status}`] =
              (byOperation[`${call.operation} ${call.status}`] ?? 0) + 1;
          throw new Error(`${error.message}\ncalls: ${JSON.stringify(byOperation)}`);
        },
      );

      stack.sim.faults.clear();
      assert.deepEqual(
        statuses.map((s) => s.outcome),
        ['succeeded', 'succeeded'],
      );
      const calls = stack.sim.calls().slice(before);
      const throttled = calls.filter((call) => call.status === 429).length;
      assert.ok(throttled / calls.length > 0.5, `${throttled} of ${calls.length} calls were throttled`);
    });
  });
});
