/**
 * Many concurrent releases in one account and region, measured side by side with and without Lambda's
 * real control-plane quota (15/s shared, GetFunction 100/s): total time, throttled calls, and that every
 * release still succeeds (throttling is retried, never fatal).
 */
import { withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { closeTemporalEnvironment, uniqueName } from '../test/helpers/temporal.ts';
import { waitForEnd } from '../test/helpers/wait-for.ts';

const concurrent = Number(process.env.RAMP_BENCH_CONCURRENT ?? 12);

async function run(
  quotas: boolean,
): Promise<{ seconds: number; throttled: number; calls: number; outcomes: string[] }> {
  return withReleaseStack({ quotas }, async (stack) => {
    const functions: string[] = [];
    for (let i = 0; i < concurrent; i++) {
      const fn = uniqueName('bench-q');
      // Setup goes at the quota's pace too; the measurement starts after it.
      for (;;) {
        try {
          await stack.createFunctionWithAlias(fn, 'live');
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      functions.push(fn);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = stack.sim.calls().length;
    const startedAt = Date.now();
    const ids = await Promise.all(
      functions.map((fn) =>
        stack.startRelease({
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: {
            steps: [
              { weight: 10, bake: '1s' },
              { weight: 50, bake: '1s' },
            ],
          },
        }),
      ),
    );
    const statuses = await Promise.all(ids.map((id) => waitForEnd(stack.releases, id, 300_000)));
    const calls = stack.sim.calls().slice(before);
    return {
      seconds: (Date.now() - startedAt) / 1000,
      throttled: calls.filter((call) => call.status === 429).length,
      calls: calls.length,
      outcomes: statuses.map((s) => s.outcome ?? 'none'),
    };
  });
}

try {
  const free = await run(false);
  const limited = await run(true);
  const line = (name: string, r: typeof free) =>
    `${name}: ${r.seconds.toFixed(1)} s, ${r.calls} Lambda calls, ${r.throttled} throttled (429), outcomes ${[...new Set(r.outcomes)].join('/')} ×${r.outcomes.length}`;
  console.log(`${concurrent} concurrent canary releases (2 steps, 1 s bakes):`);
  console.log(`  ${line('no quota      ', free)}`);
  console.log(`  ${line('Lambda quotas ', limited)}`);
  console.log(`  slowdown under real quotas: ×${(limited.seconds / free.seconds).toFixed(2)}`);
} finally {
  await closeTemporalEnvironment();
}
