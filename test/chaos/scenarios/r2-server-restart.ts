/**
 * R2: the Temporal dev server (persisted to a SQLite file) is killed and restarted while every release is
 * baking. Every release must resume and finish, and the invariants hold throughout.
 */
import { type ChaosStack, type RunningRelease, startChaosStack } from '../chaos-stack.ts';
import { type DrivenRelease, type ScenarioResult, summarise } from '../drive.ts';
import type { Breach } from '../invariants.ts';
import type { ScenarioContext } from './context.ts';

export interface R2Options {
  releases: number;
  /** How long each release bakes at 10 %: long enough to restart the server inside it. */
  bake: string;
}

export const r2Defaults: R2Options = { releases: 10, bake: '30s' };

async function waitUntilAllBaking(
  stack: ChaosStack,
  running: RunningRelease[],
  deadline: number,
): Promise<boolean> {
  while (Date.now() < deadline) {
    const phases = await Promise.all(
      running.map((release) =>
        stack.releases.status(release.releaseId).then(
          (status) => status.phase,
          () => 'unknown',
        ),
      ),
    );
    if (phases.every((phase) => phase === 'baking')) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export async function runR2(
  context: ScenarioContext,
  options: R2Options = r2Defaults,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const restart = context.restartTemporal;
  if (!restart) throw new Error('R2 needs a dev server it may restart');
  const stack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r2`,
  });
  const breaches: Breach[] = [];
  const notes: string[] = [];
  try {
    const running: RunningRelease[] = [];
    for (let index = 0; index < options.releases; index++) {
      const release = await stack.prepare({
        functionName: `${context.runId}-r2-${index}`,
        codeKind: 'zip',
        hasAlias: true,
        steps: [{ weight: 10, bake: options.bake }],
        isCandidateBad: false,
      });
      await stack.start(release);
      running.push(release);
    }
    const isAllBaking = await waitUntilAllBaking(stack, running, Date.now() + 60_000);
    notes.push(
      isAllBaking ? 'restarted while every release was baking' : 'restarted before every release was baking',
    );
    const downAt = Date.now();
    await restart();
    // The old worker may have given up on the server while it was down; a fresh one takes over either way.
    await stack.workers.killAndReplace();
    notes.push(`dev server down and back in ${((Date.now() - downAt) / 1000).toFixed(1)} s`);
    const driven: DrivenRelease[] = [];
    for (const release of running) {
      const status = await stack.waitForEnd(release, Date.now() + 5 * 60_000);
      release.stopTraffic();
      driven.push({ running: release, status, record: await stack.record(release, status) });
      if (status?.outcome !== 'succeeded') {
        breaches.push({
          invariant: 'R2',
          releaseId: release.releaseId,
          message: `a healthy release did not resume and succeed after the restart: ${status?.outcome ?? 'no outcome'} ${status?.lastError?.message ?? ''}`,
        });
      }
    }
    return summarise('R2 server restart', driven, startedAt, { breaches, notes });
  } finally {
    await stack.close();
  }
}
