/**
 * A rollback does not wait behind other releases' Lambda calls. Hundreds of releases starting in one account
 * fill the budgeted Lambda queue with a backlog the budget takes minutes to drain; a canary that fails then
 * must still be back on stable within seconds. Its rollback's calls carry the highest priority key, and the
 * real dev server (with the priority matcher on, as every server Ramp starts) dispatches them first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { isBudgetedLambdaCall } from '../helpers/lambda-calls.ts';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

// 2 requests/s: Temporal dispatches the budgeted queue at 1/s (temporalRateForBudget: below 3/s, half the budget).
const budgetPerSecond = 2;
const flood = 40;

describe('rollback priority in the budgeted Lambda queue', () => {
  test('a failing canary is back on stable within seconds while a flood of releases waits in the budget', async () => {
    await withReleaseStack(
      { healthGate: 'cloudwatch', lambdaBudgetPerSecond: budgetPerSecond },
      async (stack) => {
        const canary = uniqueName('canary');
        const { stableVersion } = await stack.createFunctionWithAlias(canary, 'live');
        const alarm = `${canary}-errors`;
        stack.sim.alarms.put({
          name: alarm,
          metricName: 'Errors',
          dimensions: { FunctionName: canary, Resource: `${canary}:live` },
          statistic: 'Sum',
          threshold: 5,
          comparison: 'GreaterThanThreshold',
          periodSeconds: 60,
          evaluationPeriods: 1,
        });
        const floodFunctions: string[] = [];
        for (let i = 0; i < flood; i++) {
          const name = uniqueName('flood');
          await stack.createFunctionWithAlias(name, 'live');
          floodFunctions.push(name);
        }

        const canaryId = await stack.startRelease({
          function: canary,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: { steps: [{ weight: 20, bake: '10m' }] },
          health: { interval: '1s', alarms: [alarm] },
        });
        await waitForStatus(stack.releases, canaryId, (s) => s.phase === 'baking', 60_000);

        // The flood: each release needs several budgeted calls in turn, so 40 of them keep the budget's backlog
        // full for minutes (one waiting call per release).
        const floodIds = await Promise.all(
          floodFunctions.map((name) =>
            stack.startRelease({
              function: name,
              alias: 'live',
              code: { zipFile: zipBase64() },
              strategy: 'AllAtOnce',
            }),
          ),
        );
        // Once the flood's calls are under way, the canary's alarm fires.
        await eventually(
          () =>
            stack.sim.calls().filter((call) => isBudgetedLambdaCall(call) && call.functionName !== canary)
              .length,
          (count) => count >= 6,
          30_000,
        );
        const firedAt = Date.now();
        stack.sim.alarms.setState(stack.sim.clientConfig.region, alarm, 'ALARM', 'the canary broke');

        const status = await waitForEnd(stack.releases, canaryId, 120_000);
        assert.equal(status.outcome, 'rolled_back', JSON.stringify(status.lastError));
        const history = stack.sim.aliasHistory(canary, 'live');
        const back = history.at(-1);
        assert.equal(back?.functionVersion, stableVersion);
        assert.deepEqual(back?.additionalVersionWeights, {});
        const secondsToStable = ((back?.at ?? 0) - firedAt) / 1000;

        // The flood was still waiting in the budget: most of its releases had not ended.
        const floodStatuses = await Promise.all(floodIds.map((id) => stack.releases.status(id)));
        const floodRunning = floodStatuses.filter((flooded) => flooded.outcome === null).length;
        // The flood is not this test's subject: it ends here rather than drain for a minute.
        for (const id of floodIds) {
          const parsed = parseReleaseId(id);
          if (parsed)
            await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).terminate('test over');
        }

        assert.ok(
          secondsToStable < 7,
          `the canary was back on stable ${secondsToStable.toFixed(1)} s after its alarm fired (at the same priority as the flood it took 11–18 s here)`,
        );
        assert.ok(
          floodRunning >= flood / 2,
          `${floodRunning} of the flood's ${flood} releases were still running when the canary was back: the budget's backlog had drained`,
        );
      },
    );
  });
});
