import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GetAliasCommand,
  GetFunctionCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

describe('conflicts: someone else changed the function or alias', () => {
  test('a stale expectedRevisionId ends the release as a conflict before anything is changed', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('stale');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const current = await stack.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        expectedRevisionId: 'not-the-current-revision',
      });

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'conflict');
      assert.equal(status.lastError?.type, 'Conflict');
      assert.equal(status.lastError?.details?.guard, 'functionRevisionId');
      assert.equal(status.lastError?.details?.expected, 'not-the-current-revision');
      assert.equal(status.lastError?.details?.found, current.Configuration?.RevisionId);
      const versions = await stack.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
      assert.deepEqual(
        versions.Versions?.map((v) => v.Version),
        ['$LATEST', stableVersion],
      );
      assert.equal(stack.sim.aliasHistory(fn, 'live').length, 1, 'the alias was never written');
    });
  });

  test('an outside change to the alias during a bake ends as a conflict and Ramp writes nothing more to it', async () => {
    await withReleaseStack({}, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('outside', {
        strategy: { steps: [{ weight: 10, bake: '2s' }] },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
      // Someone else takes the alias back by hand while Ramp bakes.
      await stack.lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: 'live',
          FunctionVersion: stableVersion,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      );
      const writesBefore = stack.sim.aliasHistory(fn, 'live').length;

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'conflict');
      assert.equal(status.lastError?.details?.guard, 'aliasRevisionId');
      assert.match(status.lastError?.message ?? '', /alias/);
      assert.equal(stack.sim.aliasHistory(fn, 'live').length, writesBefore, 'no rollback over their change');
    });
  });

  test('a CodeSha256 that no longer matches $LATEST at publish time is a conflict naming both hashes', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('sha');
      await stack.createFunctionWithAlias(fn, 'live');
      stack.sim.faults.outsideChange({
        functionName: fn,
        when: { operation: 'PublishVersion', phase: 'before' },
        change: 'code',
      });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: 'AllAtOnce',
      });

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'conflict');
      assert.ok(['codeSha256', 'functionRevisionId'].includes(String(status.lastError?.details?.guard)));
      const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.stableVersion, 'the alias still serves the stable version');
    });
  });

  test('a conflict while rolling back stops as needs_attention and reports what the alias holds', async () => {
    let failNow = false;
    const gate = {
      check: async () =>
        failNow
          ? { status: 'fail' as const, message: 'errors up' }
          : { status: 'pass' as const, message: 'ok' },
    };
    await withReleaseStack({ healthGate: gate }, async (stack) => {
      const { fn, id } = await stack.releaseNewFunction('rollback-conflict', {
        // A bake far longer than the test, ended by the failing check: with a 300 ms bake a loaded machine
        // could end the bake on a passing check before the outside change below, and the release then met
        // that change while promoting (a conflict) instead of while rolling back (CI saw it once).
        strategy: { steps: [{ weight: 20, bake: '1h' }] },
        // The gate judges releases that ask for health checks; one without them only bakes.
        health: { interval: '1s', metrics: { errorRate: { max: 0.01 } } },
      });
      const baking = await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
      // Someone else moves the alias to a split Ramp's plan never sets (33 %), and the candidate fails.
      const theirs = await stack.lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: 'live',
          FunctionVersion: baking.stableVersion ?? '',
          RoutingConfig: { AdditionalVersionWeights: { [baking.candidateVersion ?? '']: 0.33 } },
        }),
      );
      failNow = true;

      const status = await waitForEnd(stack.releases, id);

      assert.equal(status.outcome, 'needs_attention');
      assert.match(status.lastError?.message ?? '', /rollback/);
      assert.match(status.lastError?.message ?? '', /33%/);
      // Their change is still in place: Ramp never rolled back over it.
      const last = stack.sim.aliasHistory(fn, 'live').at(-1);
      assert.equal(last?.revisionId, theirs.RevisionId);
    });
  });

  test('an alias someone else already put back on the stable version ends the rollback with nothing to write', async () => {
    let failNow = false;
    const gate = {
      check: async () =>
        failNow
          ? { status: 'fail' as const, message: 'errors up' }
          : { status: 'pass' as const, message: 'ok' },
    };
    await withReleaseStack({ healthGate: gate }, async (stack) => {
      const { fn, id, stableVersion } = await stack.releaseNewFunction('rolled-back-outside', {
        strategy: { steps: [{ weight: 20, bake: '1h' }] },
        health: { interval: '1s', metrics: { errorRate: { max: 0.01 } } },
      });
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
      await stack.lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: 'live',
          FunctionVersion: stableVersion,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      );
      const writesBefore = stack.sim.calls().filter((c) => c.operation === 'UpdateAlias').length;
      failNow = true;

      const status = await waitForEnd(stack.releases, id);
      assert.equal(status.outcome, 'rolled_back');
      assert.equal(stack.sim.calls().filter((c) => c.operation === 'UpdateAlias').length, writesBefore);
      assert.ok(
        status.timeline.some((e) => e.event === 'rolled_back' && /already/.test(e.message)),
        JSON.stringify(status.timeline.slice(-4)),
      );
    });
  });
});
