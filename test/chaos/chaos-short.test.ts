/**
 * The chaos suite's short, seeded form for CI: a few releases each of R1 (worker SIGKILLed around AWS
 * mutations), R4 (a lost response on every mutating call, zip/S3/image) and R5 (outside changes racing
 * releases), with every invariant checked on the simulator's complete alias history. The full runs are
 * `npm run chaos`.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import type { ScenarioResult } from './drive.ts';
import type { ScenarioContext } from './scenarios/context.ts';
import { runR1 } from './scenarios/r1-worker-kills.ts';
import { runR4 } from './scenarios/r4-lost-responses.ts';
import { runR5 } from './scenarios/r5-outside-changes.ts';
import { formatBreaches } from './table.ts';

const seed = 20261128;

async function context(): Promise<ScenarioContext> {
  const env = await temporalEnvironment();
  return {
    temporalAddress: env.address,
    namespace: env.namespace ?? 'default',
    seed,
    runId: uniqueName('chaos'),
    log: () => {},
  };
}

function assertNoBreach(result: ScenarioResult, t: TestContext): void {
  for (const note of result.notes) t.diagnostic(note);
  t.diagnostic(`outcomes: ${JSON.stringify(result.outcomes)}`);
  assert.equal(result.outcomes.none ?? 0, 0, `every release ends: ${JSON.stringify(result.outcomes)}`);
  assert.deepEqual(result.breaches, [], formatBreaches(result.breaches));
}

// The three run side by side: R1's kills cost the in-flight activities their 30 s timeout, the others wait on it.
describe('chaos, short and seeded', { concurrency: 3 }, () => {
  test('R1 short: releases whose worker is SIGKILLed right before and after AWS mutations keep every invariant', async (t) => {
    assertNoBreach(
      await runR1(await context(), {
        releases: 3,
        parallel: 3,
        killChance: 0.5,
        randomKillEveryMs: 0,
        maxKills: 2,
      }),
      t,
    );
  });

  test('R4 short: a lost response on each mutating call, for zip, S3 and image code, causes no false conflict', async (t) => {
    assertNoBreach(
      await runR4(await context(), { rounds: 1, parallel: 6, codeKinds: ['zip', 's3', 'image'] }),
      t,
    );
  });

  test('R5 short: outside changes and cancels racing releases: nothing clobbered, no split left, the releases say so', async (t) => {
    assertNoBreach(
      await runR5(await context(), { releases: 6, parallel: 6, raceChance: 0.5, cancelChance: 0.4 }),
      t,
    );
  });
});
