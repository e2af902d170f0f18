import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HealthCheck } from '../../src/domain/health-verdict.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually } from '../helpers/wait-for.ts';

// health.probes through the HTTP API, as a pipeline uses it: validated at the edge, documented in OpenAPI,
// and its verdicts readable in the release's timeline. The simulator keeps CloudWatch's 60 s delay.

describe('health.probes over the HTTP API', () => {
  test('a bad probes block is a 400 naming each problem, and starts nothing', async () => {
    await withApiStack({}, async (api) => {
      const response = await api.call('POST', '/v1/releases', {
        body: {
          function: uniqueName('pay'),
          alias: 'live',
          code: { zipFile: zipBase64() },
          health: {
            probes: {
              ratePerSecond: 0,
              timeout: '1m',
              payloads: [],
              expect: { jsonPath: 'statusCode', equals: { nested: true } },
            },
          },
        },
      });

      assert.equal(response.status, 400);
      assert.equal(response.json.error?.type, 'InvalidSpec');
      assert.deepEqual((response.json.error?.problems ?? []).map((p) => p.field).sort(), [
        'health.probes.expect.equals',
        'health.probes.expect.jsonPath',
        'health.probes.payloads',
        'health.probes.ratePerSecond',
        'health.probes.timeout',
      ]);
      assert.equal(api.startCalls(), 0);
    });
  });

  test('the OpenAPI document describes health.probes', async () => {
    await withApiStack({}, async (api) => {
      const text = JSON.stringify((await api.call('GET', '/openapi.json')).json);
      for (const field of ['ratePerSecond', 'preTraffic', 'jsonPath'])
        assert.ok(text.includes(`"${field}"`), `${field} is documented`);
    });
  });

  test('a candidate that breaks once it takes traffic is rolled back by its probes, and the verdict says so', async () => {
    await withApiStack({ healthGate: 'cloudwatch' }, async (api) => {
      const { stack } = api;
      const fn = uniqueName('probed');
      const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
      const started = await api.call('POST', '/v1/releases', {
        body: {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: { steps: [{ weight: 10, bake: '30s' }] },
          health: { interval: '1s', probes: { ratePerSecond: 10, timeout: '2s', preTraffic: '1s' } },
        },
      });
      assert.equal(started.status, 202, JSON.stringify(started.json));
      const id = String(started.json.id);
      const read = async () =>
        (await api.call('GET', `/v1/releases/${encodeURIComponent(id)}`)).json as unknown as ReleaseStatus;

      // Healthy before traffic; its dependency fails once it takes traffic.
      const baking = await eventually(read, (s) => s.phase === 'baking' || s.outcome !== null, 30_000);
      assert.equal(baking.phase, 'baking', JSON.stringify(baking.lastError));
      stack.sim.faults.versionBehaviour(fn, baking.candidateVersion ?? '', { errorRate: 1 });
      const ended = await eventually(read, (s) => s.outcome !== null, 60_000);

      assert.equal(ended.outcome, 'rolled_back');
      assert.equal(ended.stableVersion, stableVersion);
      const verdicts = ended.timeline.filter((e) => e.event === 'health_verdict');
      assert.match(verdicts[0]?.message ?? '', /^pass \(probes before traffic\)/);
      const failing = verdicts.find((e) => e.message.startsWith('fail'));
      const checks = (failing?.details?.verdict as { checks?: HealthCheck[] } | undefined)?.checks ?? [];
      const consecutive = checks.find((c) => c.name === 'probes: last 8 of the candidate');
      assert.equal(consecutive?.status, 'fail', JSON.stringify(checks));
      assert.match(
        consecutive?.measured ?? '',
        /8 of the last 8 probes of version \d+ failed \(Unhandled ×8\)/,
      );
    });
  });
});
