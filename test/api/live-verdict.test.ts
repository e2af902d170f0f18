import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withApiStack } from '../helpers/api-stack.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually } from '../helpers/wait-for.ts';

// CloudWatch as on AWS: invocations reach the metrics 60 s after they ran (the simulator's default). While
// nothing of the candidate is published, the status says so, with how far the data reaches, and it is
// never a pass; the timeline records verdicts only when a wait ends, so the status carries the monitor's
// latest check.
test("while CloudWatch has published nothing of the candidate, a baking release's status says it waits for CloudWatch, not healthy", async () => {
  await withApiStack({ healthGate: 'cloudwatch' }, async (api) => {
    const fn = uniqueName('waiting');
    await api.stack.createFunctionWithAlias(fn, 'live');
    const traffic = api.stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
    try {
      const started = await api.call('POST', '/v1/releases', {
        body: {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64({}, `${fn}-v2`) },
          strategy: { steps: [{ weight: 50, bake: '10m' }] },
          health: { interval: '1s', metrics: { minInvocations: 20, errorRate: { max: 0.05 } } },
        },
      });
      assert.equal(started.status, 202);
      const id = String(started.json.id);
      const read = async () => (await api.call('GET', `/v1/releases/${encodeURIComponent(id)}`)).json;
      const status = await eventually(
        read,
        (json) => ((json.currentVerdict as { checksRun: number } | null | undefined)?.checksRun ?? 0) >= 2,
        60_000,
        200,
      );
      assert.ok(status.currentVerdict, `the monitor never reported: ${JSON.stringify(status)}`);
      const verdict = status.currentVerdict as {
        status: string;
        message: string;
        checks: { name: string; status: string }[];
        at: string;
      };
      assert.equal(status.phase, 'baking');
      assert.equal(verdict.status, 'inconclusive');
      assert.match(verdict.message, /^waiting for CloudWatch \(data up to \d\d:\d\d:\d\d\)$/);
      assert.ok(Number.isFinite(Date.parse(verdict.at)));
      assert.ok(verdict.checks.every((check) => check.status !== 'pass'));
      const aborted = await api.call('POST', `/v1/releases/${encodeURIComponent(id)}/abort`, { body: {} });
      assert.equal(aborted.status, 200);
      // Once the wait has ended there is no monitor, and no live verdict.
      const ended = await eventually(read, (json) => Boolean(json.outcome), 30_000, 200);
      assert.equal(ended.outcome, 'rolled_back');
      assert.equal(ended.currentVerdict ?? null, null);
    } finally {
      traffic.stop();
    }
  });
});
