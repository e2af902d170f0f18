/**
 * `watchAfterWave`: once a wave has promoted, its targets' health stays watched for a while with the
 * rollback armed. One heartbeating monitor per target (the release's own monitorHealth activity), so the
 * train's history grows by a few events per target however long the watch.
 */
import { CancellationScope, condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { hasHealthChecks } from '../../domain/health-checks.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import { watching } from './options.ts';
import { label, type Promotion } from './promotions.ts';

export interface WatchFailure {
  promotion: Promotion;
  message: string;
}

/**
 * Watches `promotions` for `watchMs`. Returns the targets that failed (a failing verdict, or a monitor
 * that could not run), empty when the watch passed; ends early when `isStopped()` holds.
 */
export async function watchWave(
  promotions: Promotion[],
  watchMs: number,
  isStopped: () => boolean,
): Promise<WatchFailure[]> {
  const watched = promotions.filter((p) => hasHealthChecks(p.input.health));
  if (watched.length === 0) {
    await condition(isStopped, watchMs);
    return [];
  }
  const { monitorHealth } = proxyActivities<ReleaseActivities>(watching(watchMs));
  const watchUntil = new Date(Date.now() + watchMs).toISOString();
  const failures: WatchFailure[] = [];
  const scope = new CancellationScope();
  const monitors = scope.run(() =>
    Promise.all(
      watched.map(async (promotion) => {
        const { input } = promotion;
        try {
          const verdict = await monitorHealth({
            functionName: input.functionName,
            region: input.region,
            ...roleFieldsOf(input),
            alias: input.alias,
            stableVersion: promotion.previousVersion,
            candidateVersion: promotion.promotedVersion,
            candidateWeightPercent: 100,
            stage: 'promotion',
            stepIndex: 0,
            ...(input.health ? { health: input.health } : {}),
            trafficMovedAt: promotion.promotedAt,
            watchUntil,
            intervalMs: input.health?.intervalMs ?? 10_000,
          });
          if (verdict.status === 'fail')
            failures.push({ promotion, message: `${label(promotion.target)}: ${verdict.message}` });
        } catch (error) {
          if (isCancellation(error)) return;
          const message = error instanceof Error ? error.message : String(error);
          failures.push({
            promotion,
            message: `${label(promotion.target)}: the health watch failed: ${message}`,
          });
        }
      }),
    ),
  );
  // The first failure (or an abort) ends every other monitor: the rollback does not wait for the watch.
  const ended = Symbol('ended');
  await Promise.race([monitors.then(() => ended), condition(() => failures.length > 0 || isStopped())]);
  scope.cancel();
  await monitors.catch(() => undefined);
  return failures;
}
