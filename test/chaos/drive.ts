/**
 * Drives a list of releases through a chaos stack, a few at a time, and checks every invariant on what the
 * simulator recorded once each has ended (or its deadline has passed).
 */
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import type { ChaosStack, ReleaseCase, RunningRelease } from './chaos-stack.ts';
import { type Breach, checkRelease, type ReleaseRecord } from './invariants.ts';
import type { SeededRandom } from './seeded-random.ts';

export interface ScenarioResult {
  scenario: string;
  releases: number;
  /** outcome (or `none`) → count */
  outcomes: Record<string, number>;
  breaches: Breach[];
  durationMs: number;
  notes: string[];
}

export interface DrivenRelease {
  running: RunningRelease;
  status: ReleaseStatus | undefined;
  record: ReleaseRecord;
}

export interface DriveOptions {
  /** How many releases run at once. */
  parallel: number;
  /** How long one release may take before it counts as never ending. */
  releaseDeadlineMs: number;
  /** Called once a release's function exists, before the release starts. */
  onPrepared?(running: RunningRelease): void;
  /** Called once a release has ended, before its record is read. */
  onEnded?(running: RunningRelease): void;
}

export async function driveReleases(
  stack: ChaosStack,
  cases: ReleaseCase[],
  options: DriveOptions,
): Promise<DrivenRelease[]> {
  const driven: DrivenRelease[] = [];
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < cases.length; index = next++) {
      const running = await stack.prepare(cases[index] as ReleaseCase);
      options.onPrepared?.(running);
      await stack.start(running);
      const status = await stack.waitForEnd(running, Date.now() + options.releaseDeadlineMs);
      running.stopTraffic();
      options.onEnded?.(running);
      driven.push({ running, status, record: await stack.record(running, status) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, lane));
  return driven;
}

export function summarise(
  scenario: string,
  driven: DrivenRelease[],
  startedAt: number,
  extra: { breaches?: Breach[]; notes?: string[] } = {},
): ScenarioResult {
  const outcomes: Record<string, number> = {};
  for (const { status } of driven) {
    const outcome = status?.outcome ?? 'none';
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return {
    scenario,
    releases: driven.length,
    outcomes,
    breaches: [...driven.flatMap(({ record }) => checkRelease(record)), ...(extra.breaches ?? [])],
    durationMs: Date.now() - startedAt,
    notes: extra.notes ?? [],
  };
}

const plans: { weight: number; bake: string }[][] = [
  [],
  [{ weight: 10, bake: '2s' }],
  [
    { weight: 10, bake: '1s' },
    { weight: 50, bake: '2s' },
  ],
  [
    { weight: 25, bake: '1s' },
    { weight: 50, bake: '1s' },
    { weight: 75, bake: '1s' },
  ],
];

/** A release case with a plan drawn from a few shapes; a share of candidates are bad and must roll back. */
export function randomCase(
  random: SeededRandom,
  functionName: string,
  overrides: Partial<ReleaseCase> = {},
): ReleaseCase {
  return {
    functionName,
    codeKind: 'zip',
    hasAlias: true,
    steps: random.pick(plans),
    isCandidateBad: random.chance(0.25),
    ...overrides,
  };
}

/** A plan that shifts at least once, so there is time and an UpdateAlias to act on. */
export function steppedCase(
  random: SeededRandom,
  functionName: string,
  overrides: Partial<ReleaseCase> = {},
): ReleaseCase {
  return randomCase(random, functionName, { steps: random.pick(plans.slice(1)), ...overrides });
}
