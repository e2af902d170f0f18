/**
 * R3: Lambda throttles. With half of every control-plane call throttled, every release completes; with all
 * of them throttled for a window (2 minutes by default), no release fails during it, and all complete after.
 */
import { type ChaosStack, type RunningRelease, startChaosStack } from '../chaos-stack.ts';
import { type DrivenRelease, driveReleases, type ScenarioResult, steppedCase, summarise } from '../drive.ts';
import type { Breach } from '../invariants.ts';
import { seededRandom } from '../seeded-random.ts';
import type { ScenarioContext } from './context.ts';

export interface R3Options {
  /** Releases under 50 % throttling. */
  halfThrottledReleases: number;
  /** Releases started right before the full-throttling window. */
  fullyThrottledReleases: number;
  fullThrottleMs: number;
  parallel: number;
}

export const r3Defaults: R3Options = {
  halfThrottledReleases: 20,
  fullyThrottledReleases: 10,
  fullThrottleMs: 120_000,
  parallel: 8,
};

function incomplete(driven: DrivenRelease[], why: string): Breach[] {
  return driven
    .filter(({ status }) => status?.outcome !== 'succeeded')
    .map(({ running, status }) => ({
      invariant: 'R3' as const,
      releaseId: running.releaseId,
      message: `${why}: ended ${status?.outcome ?? 'without an outcome'} ${status?.lastError?.message ?? ''}`,
    }));
}

async function fullyThrottled(
  stack: ChaosStack,
  context: ScenarioContext,
  options: R3Options,
): Promise<{ driven: DrivenRelease[]; breaches: Breach[] }> {
  const random = seededRandom(context.seed + 33);
  const running: RunningRelease[] = [];
  for (let index = 0; index < options.fullyThrottledReleases; index++) {
    running.push(
      await stack.prepare(
        steppedCase(random, `${context.runId}-r3-full-${index}`, { isCandidateBad: false }),
      ),
    );
  }
  // Throttle first, then start: every release meets the window from its first call.
  const windowEndsAt = Date.now() + options.fullThrottleMs;
  stack.sim.faults.throttle({ forMs: options.fullThrottleMs, retryAfterSeconds: 1 });
  for (const release of running) await stack.start(release);
  const breaches: Breach[] = [];
  // During the window: nothing may end (a release that ends now has given up).
  await Promise.all(
    running.map(async (release) => {
      const status = await stack.waitForEnd(release, windowEndsAt - 1000);
      if (status) {
        breaches.push({
          invariant: 'R3',
          releaseId: release.releaseId,
          message: `ended ${status.outcome} during the full-throttling window instead of waiting`,
        });
      }
    }),
  );
  const driven: DrivenRelease[] = [];
  for (const release of running) {
    const status = await stack.waitForEnd(release, Date.now() + 10 * 60_000);
    release.stopTraffic();
    driven.push({ running: release, status, record: await stack.record(release, status) });
  }
  return {
    driven,
    breaches: [...breaches, ...incomplete(driven, 'did not complete after the full-throttling window')],
  };
}

export async function runR3(
  context: ScenarioContext,
  options: R3Options = r3Defaults,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const random = seededRandom(context.seed + 3);
  const stack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r3`,
  });
  try {
    // Per function, so the suite's own setup and reads are not throttled, and removed before the reads.
    const throttles = new Map<string, { remove(): void }>();
    const halfDriven = await driveReleases(
      stack,
      Array.from({ length: options.halfThrottledReleases }, (_, index) =>
        steppedCase(random, `${context.runId}-r3-half-${index}`, { isCandidateBad: false }),
      ),
      {
        parallel: options.parallel,
        releaseDeadlineMs: 10 * 60_000,
        onPrepared: ({ releaseCase: { functionName } }) => {
          throttles.set(
            functionName,
            stack.sim.faults.throttle({ functionName, probability: 0.5, retryAfterSeconds: 1 }),
          );
        },
        onEnded: ({ releaseCase: { functionName } }) => throttles.get(functionName)?.remove(),
      },
    );
    const full = await fullyThrottled(stack, context, options);
    return summarise('R3 throttling', [...halfDriven, ...full.driven], startedAt, {
      breaches: [...incomplete(halfDriven, 'did not complete under 50 % throttling'), ...full.breaches],
      notes: [
        `${options.halfThrottledReleases} under 50 % throttling, ${options.fullyThrottledReleases} through ${options.fullThrottleMs / 1000} s of 100 %`,
      ],
    });
  } finally {
    await stack.close();
  }
}
