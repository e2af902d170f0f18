import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import type { HealthCheck } from '../../src/domain/health-verdict.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { externalId, roleArn, twoAccounts } from '../helpers/cross-account.ts';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

// Synthetic probes against the simulator, with CloudWatch's real delay (60 s, the simulator's default): no
// metric of the candidate is visible within these releases, so whatever judged them, it was not CloudWatch.
const cloudWatchAsOnAws = { healthGate: 'cloudwatch', metricDelayMs: 60_000 } as const;

const probes = {
  ratePerSecond: 10,
  timeout: '2s',
  payloads: [{ path: '/health' }, { path: '/ready' }],
  expect: { jsonPath: '$.statusCode', equals: 200 },
};

const verdicts = (status: ReleaseStatus) => status.timeline.filter((e) => e.event === 'health_verdict');
const checksOf = (entry: ReleaseStatus['timeline'][number] | undefined): HealthCheck[] =>
  (entry?.details?.verdict as { checks?: HealthCheck[] } | undefined)?.checks ?? [];

async function release(
  stack: ReleaseStack,
  candidate: Parameters<typeof zipBase64>[0],
  health: Record<string, unknown>,
) {
  const fn = uniqueName('probed');
  const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
  const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
  const id = await stack.startRelease({
    function: fn,
    alias: 'live',
    code: { zipFile: zipBase64(candidate) },
    strategy: { steps: [{ weight: 10, bake: '20s' }] },
    health,
  });
  const status = await waitForEnd(stack.releases, id, 90_000);
  traffic.stop();
  const alias = await stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
  return { fn, status, stableVersion, alias };
}

describe('synthetic probes', () => {
  test('roll back a candidate that breaks once it takes traffic, before CloudWatch has published anything', async () => {
    await withReleaseStack(cloudWatchAsOnAws, async (stack) => {
      const { fn, status, stableVersion, alias } = await release(
        stack,
        { errorRate: 1 },
        {
          interval: '1s',
          metrics: { minInvocations: 20, errorRate: { max: 0.05 } },
          // No round before traffic: this test is about the bake.
          probes: { ...probes, preTraffic: '0s' },
        },
      );

      assert.equal(status.outcome, 'rolled_back');
      assert.equal(alias.FunctionVersion, stableVersion);
      assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      const failing = verdicts(status).find((e) => e.message.startsWith('fail'));
      const failed = checksOf(failing).filter((check) => check.status === 'fail');
      assert.ok(failed.length > 0, JSON.stringify(failing));
      assert.ok(
        failed.every((check) => check.name.startsWith('probes:')),
        `only probe checks failed: ${JSON.stringify(failed)}`,
      );
      // Either judge: the fixed one sees no candidate invocations, the sequential one says it is waiting.
      const metricChecks = checksOf(failing).filter((check) => !check.name.startsWith('probes'));
      assert.ok(
        metricChecks.some(
          (check) =>
            check.status === 'inconclusive' &&
            /waiting for CloudWatch|^0 invocations/.test(check.measured ?? ''),
        ),
        `CloudWatch had nothing of the candidate yet: ${JSON.stringify(metricChecks)}`,
      );
      // The candidate was probed by its version number, never through the alias.
      const candidate = status.candidateVersion ?? '';
      const probeCalls = stack.sim
        .calls()
        .filter(
          (call) => call.operation === 'Invoke' && call.functionName === fn && call.qualifier === candidate,
        );
      assert.ok(probeCalls.length >= 8, `${probeCalls.length} probes of version ${candidate}`);
      assert.ok(
        stack.sim.aliasHistory(fn, 'live').length >= 3,
        'the alias moved to the candidate and back: the rollback came from the bake',
      );
    });
  });

  test('a healthy candidate with probes passes the pre-traffic round and the bake, and is promoted', async () => {
    await withReleaseStack(cloudWatchAsOnAws, async (stack) => {
      const { status, alias } = await release(
        stack,
        {},
        { interval: '1s', probes: { ...probes, preTraffic: '1s' } },
      );

      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      assert.equal(alias.FunctionVersion, status.candidateVersion);
      const before = verdicts(status).find((e) => e.message.includes('probes before traffic'));
      assert.match(before?.message ?? '', /^pass/);
      const bake = verdicts(status).find((e) => / after \d+ checks/.test(e.message));
      assert.match(bake?.message ?? '', /^pass/);
      const rate = checksOf(bake).find((check) => check.name === 'probes: failure rate vs stable');
      assert.equal(rate?.status, 'pass');
      assert.match(rate?.measured ?? '', /^0\.00% failed/);
    });
  });

  test('the pre-traffic round stops a candidate that fails its probes, with the alias never split', async () => {
    await withReleaseStack(cloudWatchAsOnAws, async (stack) => {
      const { fn, status, stableVersion, alias } = await release(
        stack,
        { errorRate: 1 },
        {
          interval: '1s',
          probes: { ...probes, preTraffic: '2s' },
        },
      );

      assert.equal(status.outcome, 'rolled_back');
      assert.match(status.lastError?.message ?? '', /pre-traffic probes failed/);
      assert.equal(alias.FunctionVersion, stableVersion);
      assert.equal(stack.sim.aliasHistory(fn, 'live').length, 1, 'the alias was never shifted');
      assert.ok(!status.timeline.some((e) => e.event === 'weight_set'));
      const before = verdicts(status).find((e) => e.message.includes('probes before traffic'));
      assert.equal(
        checksOf(before).find((c) => c.name === 'probes: last 8 of the candidate')?.status,
        'fail',
      );
    });
  });

  test('a cross-account release probes the role account’s versions, through its role session', async () => {
    await withReleaseStack(cloudWatchAsOnAws, async (stack) => {
      const fn = uniqueName('xprobe');
      // Both accounts hold fn:live on version 1; only the role account gets version 2 (broken).
      const { target } = await twoAccounts(stack, fn);
      try {
        const id = await stack.startRelease({
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64({ errorRate: 1 }) },
          strategy: { steps: [{ weight: 10, bake: '5s' }] },
          health: { interval: '1s', probes: { ...probes, preTraffic: '1s' } },
          roleArn,
          externalId,
        });
        const status = await waitForEnd(stack.releases, id, 60_000);

        // Had the probes gone to the worker's own account, version 2 would not exist there: no verdict, not a
        // failure of the candidate's code.
        assert.equal(status.outcome, 'rolled_back');
        assert.match(status.lastError?.message ?? '', /pre-traffic probes failed/);
        const before = verdicts(status).find((e) => e.message.includes('probes before traffic'));
        const consecutive = checksOf(before).find((c) => c.name === 'probes: last 8 of the candidate');
        assert.equal(consecutive?.status, 'fail');
        assert.match(consecutive?.measured ?? '', /failed \(Unhandled ×8\)/);
        const alias = await target.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
        assert.equal(alias.FunctionVersion, '1');
        assert.deepEqual(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
      } finally {
        target.destroy();
      }
    });
  });

  test('the fresh check after an approval wait runs a round of probes of its own', async () => {
    await withReleaseStack(cloudWatchAsOnAws, async (stack) => {
      const fn = uniqueName('approved');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '1s', approval: true }] },
        health: { interval: '1s', probes: { ...probes, preTraffic: '1s' } },
      });
      const waiting = await waitForStatus(stack.releases, id, (s) => s.awaitingApproval, 60_000);
      // Approve once the wait has outlived an interval (15 probes of the candidate at 10/s), so the bake's
      // verdict is no longer fresh and promotion asks for a fresh one.
      const since = Date.now();
      const probesSince = () =>
        stack.sim
          .calls()
          .filter(
            (call) =>
              call.operation === 'Invoke' && call.qualifier === waiting.candidateVersion && call.at > since,
          ).length;
      await eventually(probesSince, (count) => count >= 15, 30_000);
      await stack.releases.control(id, 'approve', { by: 'alice' });
      const status = await waitForEnd(stack.releases, id, 60_000);

      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      const fresh = verdicts(status).find((e) => e.message.includes('fresh check before promotion'));
      assert.match(fresh?.message ?? '', /^pass/);
      const rate = checksOf(fresh).find((c) => c.name === 'probes: failure rate vs stable');
      assert.equal(rate?.status, 'pass', JSON.stringify(checksOf(fresh)));
    });
  });
});
