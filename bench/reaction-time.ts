/**
 * Reaction time of automatic rollback: from the moment a bad candidate takes traffic (its errors reach the
 * metrics at once in the simulator) to the alias being back on the stable version, for several check
 * intervals. Expect about one interval plus the rollback's own Lambda calls.
 */
import { createReleaseClientStackRun } from './support/release-run.ts';

const intervalsSeconds = [1, 2, 5];
const runsPerInterval = Number(process.env.RAMP_BENCH_RUNS ?? 3);

const rows: string[] = [];
await createReleaseClientStackRun(async (run) => {
  for (const intervalSeconds of intervalsSeconds) {
    const reactionsMs: number[] = [];
    for (let i = 0; i < runsPerInterval; i++) {
      const { shiftedAt, rolledBackAt, outcome } = await run.badCanary({
        intervalSeconds,
        errorRate: 0.5,
        ratePerSecond: 80,
      });
      if (outcome !== 'rolled_back') throw new Error(`expected a rollback, got ${outcome}`);
      reactionsMs.push(rolledBackAt - shiftedAt);
    }
    reactionsMs.sort((a, b) => a - b);
    const median = reactionsMs[Math.floor(reactionsMs.length / 2)] ?? 0;
    rows.push(
      `interval ${intervalSeconds}s: median ${median} ms, min ${reactionsMs[0]} ms, max ${reactionsMs.at(-1)} ms ` +
        `(${runsPerInterval} runs; ratio to interval ${(median / (intervalSeconds * 1000)).toFixed(2)})`,
    );
  }
});
console.log('Rollback reaction time (bad candidate takes traffic → alias back on stable):');
for (const row of rows) console.log(`  ${row}`);
