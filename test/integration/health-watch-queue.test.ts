/**
 * Baking releases are watched on the health-watch queue, with slots of its own: a worker whose release queue
 * has two activity slots still watches four baking releases at once, and their Lambda calls still run.
 * Before, each monitor held one of those two slots for its whole bake, so the third release could neither
 * shift nor be watched until a bake ended.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HealthCheckInput } from '../../src/domain/health-verdict.ts';
import { healthWatchQueue } from '../../src/domain/health-watch-queue.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import type { HealthGate } from '../../src/health/health-gate.ts';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForStatus } from '../helpers/wait-for.ts';

describe('the health-watch queue', () => {
  test('four releases bake and are watched at once on a worker with two activity slots', async () => {
    const checksByFunction = new Map<string, number>();
    const countingGate: HealthGate = {
      async check(input: HealthCheckInput) {
        checksByFunction.set(input.functionName, (checksByFunction.get(input.functionName) ?? 0) + 1);
        return { status: 'pass', message: 'counted' };
      },
    };
    await withReleaseStack({ healthGate: countingGate, activitySlots: 2 }, async (stack) => {
      const functions = Array.from({ length: 4 }, () => uniqueName('watchq'));
      for (const fn of functions) await stack.createFunctionWithAlias(fn, 'live');
      // Preflight checks the alarm exists; the counting gate above stands in for reading it.
      stack.sim.alarms.put({
        name: 'watchq-alarm',
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: {},
        statistic: 'Sum',
        threshold: 1,
        comparison: 'GreaterThanThreshold',
        periodSeconds: 60,
        evaluationPeriods: 1,
      });
      const ids = await Promise.all(
        functions.map((fn) =>
          stack.startRelease({
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64() },
            strategy: { steps: [{ weight: 10, bake: '10m' }] },
            health: { interval: '1s', alarms: ['watchq-alarm'] },
          }),
        ),
      );
      for (const id of ids) await waitForStatus(stack.releases, id, (s) => s.phase === 'baking', 60_000);
      // Every bake is watched: each release's monitor keeps checking, all four at once.
      const before = new Map(checksByFunction);
      const isWatchedAgain = (fn: string) => (checksByFunction.get(fn) ?? 0) >= (before.get(fn) ?? 0) + 2;
      await eventually(
        () => functions.filter((fn) => !isWatchedAgain(fn)),
        (unwatched) => unwatched.length === 0,
        20_000,
      );
      for (const fn of functions)
        assert.ok(isWatchedAgain(fn), `${fn} is checked again (${checksByFunction.get(fn) ?? 0} checks)`);
      // The monitors run on the health-watch queue, not the release queue.
      const parsed = parseReleaseId(ids[0] ?? '');
      assert.ok(parsed);
      const history = await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
      const monitors = (history.events ?? [])
        .map((event) => event.activityTaskScheduledEventAttributes)
        .filter((attributes) => attributes?.activityType?.name === 'monitorHealth');
      assert.ok(monitors.length > 0);
      for (const monitor of monitors)
        assert.equal(monitor?.taskQueue?.name, healthWatchQueue(stack.taskQueue));
      for (const id of ids) await stack.releases.control(id, 'abort', {});
    });
  });
});
