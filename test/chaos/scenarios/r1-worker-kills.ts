/**
 * R1: releases while the worker is SIGKILLed at random points, including right before a mutating call
 * reaches the simulator (it never arrives) and right after it landed (the worker never hears the answer),
 * plus kills at random moments. A new worker takes over each time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChaosStack, startChaosStack } from '../chaos-stack.ts';
import { driveReleases, randomCase, type ScenarioResult, summarise } from '../drive.ts';
import { seededRandom } from '../seeded-random.ts';
import type { ScenarioContext } from './context.ts';

export interface R1Options {
  releases: number;
  parallel: number;
  /** Chance that a mutating call kills the worker (half before it reaches AWS, half after). */
  killChance: number;
  /** Mean time between kills at random moments, 0 for none. */
  randomKillEveryMs: number;
  /** At most this many kills in all (each costs the in-flight activities their 30 s timeout). */
  maxKills: number;
}

export const r1Defaults: R1Options = {
  releases: 100,
  parallel: 8,
  killChance: 0.08,
  randomKillEveryMs: 20_000,
  maxKills: 1000,
};

export async function runR1(
  context: ScenarioContext,
  options: R1Options = r1Defaults,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const random = seededRandom(context.seed);
  const stack: ChaosStack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r1`,
  });
  const killPoints = { before: 0, after: 0, random: 0 };
  const stopRandomKills = new AbortController();
  try {
    const mayKill = () => stack.workers.kills() < options.maxKills;
    stack.gate.hooks.beforeMutation = async () => {
      if (!mayKill() || !random.chance(options.killChance / 2)) return 'forward';
      if (!(await stack.workers.killAndReplace())) return 'forward';
      killPoints.before++;
      return 'drop';
    };
    stack.gate.hooks.afterMutation = async () => {
      if (!mayKill() || !random.chance(options.killChance / 2)) return 'deliver';
      if (!(await stack.workers.killAndReplace())) return 'deliver';
      killPoints.after++;
      return 'drop';
    };
    const randomKills = (async () => {
      const every = options.randomKillEveryMs;
      while (every > 0) {
        await sleep(random.int(Math.round(every / 2), Math.round(every * 1.5)), undefined, {
          signal: stopRandomKills.signal,
        });
        if (mayKill() && (await stack.workers.killAndReplace())) killPoints.random++;
      }
    })().catch(() => undefined);
    const cases = Array.from({ length: options.releases }, (_, index) =>
      randomCase(random, `${context.runId}-r1-${index}`),
    );
    const driven = await driveReleases(stack, cases, {
      parallel: options.parallel,
      releaseDeadlineMs: 10 * 60_000,
    });
    stopRandomKills.abort();
    delete stack.gate.hooks.beforeMutation;
    delete stack.gate.hooks.afterMutation;
    await randomKills;
    return summarise('R1 worker SIGKILL', driven, startedAt, {
      notes: [
        `${stack.workers.kills()} kills: ${killPoints.before} right before a mutation reached AWS, ${killPoints.after} right after, ${killPoints.random} at random moments`,
      ],
    });
  } finally {
    stopRandomKills.abort();
    await stack.close();
  }
}
