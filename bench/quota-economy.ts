/**
 * Quota economy: many releases started at once in one account and region, against the simulator's real
 * Lambda quotas (15/s shared by every call but GetFunction, GetFunction 100/s), with Ramp's shared Lambda
 * budget on and off side by side. Prints the busiest 1-s window of budgeted calls (goal: ≤ the budget),
 * 429s (goal: 0 with the budget on) and the total time against the ideal (budgeted calls ÷ budget).
 *   RAMP_BENCH_QUOTA_RELEASES=50,200   how many releases per run
 *   RAMP_BENCH_QUOTA_BUDGET=7.5        the budget (requests/s)
 *   RAMP_BENCH_QUOTA_MODES=off,on      which runs
 */
import { cpus, totalmem } from 'node:os';
import { parseReleaseId } from '../src/domain/release-id.ts';
import { busiestSecond, isBudgetedLambdaCall } from '../test/helpers/lambda-calls.ts';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../test/helpers/temporal.ts';

const sizes = (process.env.RAMP_BENCH_QUOTA_RELEASES ?? '50,200').split(',').map(Number);
const budget = Number(process.env.RAMP_BENCH_QUOTA_BUDGET ?? 7.5);
const modes = (process.env.RAMP_BENCH_QUOTA_MODES ?? 'off,on').split(',');

interface Run {
  releases: number;
  isBudgeted: boolean;
  seconds: number;
  budgetedCalls: number;
  busiest: number;
  /** Whole seconds (of the simulator's clock) whose budgeted calls went above the budget, and all seconds. */
  secondsAbove: number;
  seconds1s: number;
  busiestGetFunction: number;
  throttled: number;
  succeeded: number;
}

/** Creates the functions the releases go to; setup runs at the quota's pace too, before the measurement. */
async function createFunctions(stack: ReleaseStack, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    for (;;) {
      const name = uniqueName('quota');
      try {
        await stack.createFunctionWithAlias(name, 'live');
        names.push(name);
        break;
      } catch (error) {
        // A throttled setup step, or a retry of one that landed: start this function over under a new name.
        if (!String(error).includes('TooManyRequests') && !String(error).includes('Rate exceeded'))
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
  return names;
}

function secondsAboveBudget(times: number[]): { secondsAbove: number; seconds1s: number } {
  const perSecond = new Map<number, number>();
  for (const at of times)
    perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  return {
    secondsAbove: [...perSecond.values()].filter((count) => count > budget).length,
    seconds1s: perSecond.size,
  };
}

async function run(releases: number, isBudgeted: boolean): Promise<Run> {
  return withReleaseStack(
    { quotas: true, ...(isBudgeted ? { lambdaBudgetPerSecond: budget } : {}) },
    async (stack) => {
      const functions = await createFunctions(stack, releases);
      // Let Lambda's bucket refill, so setup does not eat into the measurement.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const before = stack.sim.calls().length;
      const startedAt = Date.now();
      const ids = await Promise.all(
        functions.map((name) =>
          stack.startRelease({
            function: name,
            alias: 'live',
            code: { zipFile: zipBase64() },
            strategy: { steps: [{ weight: 50, bake: '0s' }] },
          }),
        ),
      );
      // Awaiting each workflow's result, not polling its status: 200 status queries every 50 ms would load
      // this 2-core machine more than the releases do.
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const parsed = parseReleaseId(id);
          if (!parsed) throw new Error(`bad release id ${id}`);
          try {
            const status = await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).result();
            return (status as { outcome?: string }).outcome ?? 'none';
          } catch {
            return 'failed';
          }
        }),
      );
      const seconds = (Date.now() - startedAt) / 1000;
      const calls = stack.sim.calls().slice(before);
      const budgeted = calls.filter(isBudgetedLambdaCall);
      return {
        releases,
        isBudgeted,
        seconds,
        budgetedCalls: budgeted.length,
        busiest: busiestSecond(budgeted).count,
        ...secondsAboveBudget(budgeted.map((call) => call.at)),
        busiestGetFunction: busiestSecond(calls.filter((call) => call.operation === 'GetFunction')).count,
        throttled: calls.filter((call) => call.status === 429).length,
        succeeded: outcomes.filter((outcome) => outcome === 'succeeded').length,
      };
    },
  );
}

try {
  console.log(
    `Quota economy: releases started at once (one 50% step, no bake) against Lambda's real quotas; budget ${budget}/s`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB`,
  );
  for (const releases of sizes) {
    const off = modes.includes('off') ? await run(releases, false) : undefined;
    const on = modes.includes('on') ? await run(releases, true) : undefined;
    const line = (name: string, r: Run) => {
      const ideal = r.budgetedCalls / budget;
      return (
        `  ${name} busiest 1-s window ${String(r.busiest).padStart(3)} budgeted calls (goal ≤ ${budget}: ×${(r.busiest / budget).toFixed(2)}), ` +
        `${String(r.throttled).padStart(4)} × 429, ${r.budgetedCalls} budgeted calls in ${r.seconds.toFixed(1)} s ` +
        `(ideal ${ideal.toFixed(1)} s: ×${(r.seconds / ideal).toFixed(2)}), GetFunction peak ${r.busiestGetFunction}/s, ` +
        `${r.succeeded}/${r.releases} succeeded; ${r.secondsAbove} of ${r.seconds1s} clock seconds above the budget`
      );
    };
    console.log(`${releases} releases:`);
    if (off) console.log(line('budget off:', off));
    if (on) console.log(line('budget on: ', on));
  }
} finally {
  await closeTemporalEnvironment();
}
