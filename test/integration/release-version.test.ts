import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd } from '../helpers/wait-for.ts';

// A release of an already-published version (spec `version`): CodeDeploy's model, and the way back to a
// known-good version without re-uploading it. No UpdateFunctionCode and no PublishVersion; the traffic
// shift keeps its guards, health and controls.
const mutationsOf = (calls: { operation: string }[]) =>
  calls.map((call) => call.operation).filter((operation) => !/^(Get|List|Describe)/.test(operation));

describe('releasing an existing version', () => {
  test('shifts the alias back to an earlier version step by step, with no upload and no publish', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('goback');
      const { stableVersion: first } = await stack.createFunctionWithAlias(fn, 'live');
      const upgrade = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: 'AllAtOnce',
      });
      const upgraded = await waitForEnd(stack.releases, upgrade);
      assert.equal(upgraded.outcome, 'succeeded');
      assert.notEqual(upgraded.candidateVersion, first);

      const callsBefore = stack.sim.calls().length;
      const back = await stack.startRelease({
        function: fn,
        alias: 'live',
        version: first,
        strategy: { steps: [{ weight: 30, bake: '200ms' }] },
      });
      const status = await waitForEnd(stack.releases, back);
      assert.equal(status.outcome, 'succeeded');
      assert.equal(status.candidateVersion, first);
      assert.equal(status.stableVersion, upgraded.candidateVersion);
      assert.ok(status.timeline.some((entry) => entry.event === 'version_chosen'));
      assert.deepEqual(mutationsOf(stack.sim.calls().slice(callsBefore)), ['UpdateAlias', 'UpdateAlias']);
      const weights = stack.sim
        .aliasHistory(fn, 'live')
        .map((state) => JSON.stringify(state.additionalVersionWeights));
      assert.ok(weights.includes(JSON.stringify({ [first]: 0.3 })), `the 30 % step: ${weights.join(' ')}`);
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, first);
      assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      assert.equal(
        status.aliasRevisionId,
        alias.RevisionId,
        'the status names the RevisionId its read-back found',
      );
    });
  });

  test('a version that does not exist is rejected by the preflight, with nothing written', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('noversion');
      await stack.createFunctionWithAlias(fn, 'live');
      const callsBefore = stack.sim.calls().length;
      const id = await stack.startRelease({ function: fn, alias: 'live', version: '42' });
      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rejected');
      assert.match(status.lastError?.message ?? '', /version 42 of .* does not exist/);
      assert.deepEqual(mutationsOf(stack.sim.calls().slice(callsBefore)), []);
    });
  });
});
