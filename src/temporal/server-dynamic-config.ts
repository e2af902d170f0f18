/**
 * The Temporal server settings Ramp relies on. Every server Ramp starts gets them (the dev server of the
 * tests and the local stack, and `npm run stack:prod`), and docker-compose.yml mounts them for its server
 * (deploy/temporal-dynamic-config.yaml, which a test holds equal to this). An operator's own cluster needs
 * them too (docs/scale.md).
 * - `matching.useNewMatcher`: the task matcher that orders a queue's backlog by priority key (off by default
 *   in server 1.29), so a rollback's Lambda calls are dispatched before other releases' waiting calls.
 * - one partition per task queue (`matching.numTaskqueueReadPartitions`/`WritePartitions`, 4 by default):
 *   the budgeted Lambda queues' rate limit is then one token bucket, which holds a budget as a ceiling for
 *   every 1-s window (temporalRateForBudget); with 4, each partition dispatches at least one task a second
 *   and bursts on its own. Ramp's queues carry tens of tasks a second, and every test and benchmark here
 *   runs on one partition.
 * - `system.enableActivityEagerExecution`: a worker completing a workflow task takes the activities it just
 *   scheduled on the workflow's own queue at once, without a trip through matching (the SDK asks for them by
 *   default). Only the release's own queue is eligible: calls routed to a budgeted Lambda queue or to the
 *   health-watch queue always go through matching and its rate limit. Measured: 16 % less server CPU per
 *   release (docs/performance.md, throughput).
 */
export const rampServerDynamicConfig: Readonly<Record<string, boolean | number | string>> = {
  'matching.useNewMatcher': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'system.enableActivityEagerExecution': true,
};

/** Settings (Ramp's by default) as `temporal server start-dev` arguments. */
export function devServerDynamicConfigArgs(
  settings: Readonly<Record<string, boolean | number | string>> = rampServerDynamicConfig,
): string[] {
  return Object.entries(settings).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}
