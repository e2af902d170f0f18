/**
 * `npm run chaos`: the chaos suite of issue 10 against a real Temporal dev server (persisted, so R2 can
 * restart it), real workers in child processes and the simulator. Prints one table and exits 1 on any
 * invariant breach. docs/reliability.md describes the invariants, the fault model and the last figures.
 *
 *   npm run chaos                                    every scenario at full size, seed 1
 *   npm run chaos -- --seed 7 --scenarios R1,R4      some scenarios, another seed
 *   npm run chaos -- --r1-releases 20 --r3-window 30s   smaller sizes
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/domain/durations.ts';
import { type DevServer, startDevServer } from '../src/temporal/dev-server.ts';
import type { ScenarioResult } from '../test/chaos/drive.ts';
import type { ScenarioContext } from '../test/chaos/scenarios/context.ts';
import { r1Defaults, runR1 } from '../test/chaos/scenarios/r1-worker-kills.ts';
import { r2Defaults, runR2 } from '../test/chaos/scenarios/r2-server-restart.ts';
import { r3Defaults, runR3 } from '../test/chaos/scenarios/r3-throttling.ts';
import { r4Defaults, runR4 } from '../test/chaos/scenarios/r4-lost-responses.ts';
import { r5Defaults, runR5 } from '../test/chaos/scenarios/r5-outside-changes.ts';
import { r6Defaults, runR6 } from '../test/chaos/scenarios/r6-generated-requests.ts';
import { runR7 } from '../test/chaos/scenarios/r7-auth-matrix.ts';
import { formatBreaches, formatTable } from '../test/chaos/table.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: 'R1,R2,R3,R4,R5,R6,R7' },
    parallel: { type: 'string' },
    'r1-releases': { type: 'string' },
    'r1-kill-chance': { type: 'string' },
    'r1-random-kill-every': { type: 'string' },
    'r2-releases': { type: 'string' },
    'r2-bake': { type: 'string' },
    'r3-half': { type: 'string' },
    'r3-full': { type: 'string' },
    'r3-window': { type: 'string' },
    'r4-rounds': { type: 'string' },
    'r5-releases': { type: 'string' },
    'r5-cancel': { type: 'string' },
    'r6-requests': { type: 'string' },
  },
});

const number = (text: string | undefined, fallback: number) => (text === undefined ? fallback : Number(text));
const duration = (text: string | undefined, fallback: number) =>
  text === undefined ? fallback : parseDurationMs(text);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function main(): Promise<number> {
  const seed = Number(values.seed);
  const wanted = new Set(values.scenarios.split(',').map((name) => name.trim().toUpperCase()));
  const scratch = mkdtempSync(join(tmpdir(), 'ramp-chaos-run-'));
  const serverOptions = { dbFilename: join(scratch, 'temporal.db'), port: await freePort() };
  let server: DevServer = await startDevServer(serverOptions);
  const context: ScenarioContext = {
    temporalAddress: server.address,
    namespace: server.namespace,
    seed,
    runId: `chaos${seed}-${Date.now().toString(36)}`,
    log: (line) => console.error(`chaos: ${line}`),
    async restartTemporal() {
      await server.stop();
      server = await startDevServer(serverOptions);
    },
  };
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  const scenarios: [string, () => Promise<ScenarioResult>][] = [
    [
      'R1',
      () =>
        runR1(context, {
          ...r1Defaults,
          releases: number(values['r1-releases'], r1Defaults.releases),
          killChance: number(values['r1-kill-chance'], r1Defaults.killChance),
          randomKillEveryMs: duration(values['r1-random-kill-every'], r1Defaults.randomKillEveryMs),
          ...(parallel ? { parallel } : {}),
        }),
    ],
    [
      'R2',
      () =>
        runR2(context, {
          releases: number(values['r2-releases'], r2Defaults.releases),
          bake: values['r2-bake'] ?? r2Defaults.bake,
        }),
    ],
    [
      'R3',
      () =>
        runR3(context, {
          ...r3Defaults,
          halfThrottledReleases: number(values['r3-half'], r3Defaults.halfThrottledReleases),
          fullyThrottledReleases: number(values['r3-full'], r3Defaults.fullyThrottledReleases),
          fullThrottleMs: duration(values['r3-window'], r3Defaults.fullThrottleMs),
          ...(parallel ? { parallel } : {}),
        }),
    ],
    [
      'R4',
      () =>
        runR4(context, {
          ...r4Defaults,
          rounds: number(values['r4-rounds'], r4Defaults.rounds),
          ...(parallel ? { parallel } : {}),
        }),
    ],
    [
      'R5',
      () =>
        runR5(context, {
          ...r5Defaults,
          releases: number(values['r5-releases'], r5Defaults.releases),
          cancelChance: number(values['r5-cancel'], r5Defaults.cancelChance),
          ...(parallel ? { parallel } : {}),
        }),
    ],
    ['R6', () => runR6(context, { requests: number(values['r6-requests'], r6Defaults.requests) })],
    ['R7', () => runR7(context)],
  ];
  const results: ScenarioResult[] = [];
  const startedAt = Date.now();
  try {
    for (const [name, run] of scenarios) {
      if (!wanted.has(name)) continue;
      context.log(`${name} starting`);
      const result = await run();
      context.log(
        `${name} done in ${(result.durationMs / 1000).toFixed(1)} s, ${result.breaches.length} breach(es)`,
      );
      results.push(result);
    }
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const breaches = results.flatMap((result) => result.breaches);
  console.log(
    `\nramp chaos: seed ${seed}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`,
  );
  console.log(formatTable(results));
  for (const result of results) {
    for (const note of result.notes) console.log(`- ${result.scenario}: ${note}`);
  }
  if (breaches.length > 0) {
    console.log(`\n${breaches.length} invariant breach(es):`);
    console.log(formatBreaches(breaches));
  }
  return breaches.length === 0 ? 0 : 1;
}

process.exitCode = await main();
