/**
 * Health is watched whenever traffic is on the candidate (invariant I6): during bakes, approval waits and
 * pauses. One long-running, heartbeating monitor activity per wait checks every interval and returns only
 * on a failing verdict or at the wait's end, so the history stays small however long the wait. Monitors run
 * on the health-watch queue, whose slots are sized for thousands of them.
 */
import { CancellationScope, condition, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HealthCheckInput, MonitorResult, ReleaseActivities } from '../../activities/index.ts';
import { FailureType } from '../../domain/failure-types.ts';
import { hasHealthChecks } from '../../domain/health-checks.ts';
import { healthWatchQueue } from '../../domain/health-watch-queue.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import { type ReleaseStop, stop } from './failures.ts';
import { healthWatchQueuePatch, sequentialJudgePatch } from './messages.ts';
import { controlPlane, monitoring, onQueue } from './options.ts';

const lambda = proxyActivities<ReleaseActivities>(controlPlane);

export type Note = (event: string, message: string, details?: Record<string, unknown>) => void;

export class HealthWatch {
  /** When the candidate first took traffic: metrics are read from then on. */
  trafficMovedAt: string | undefined;
  /** When a passing verdict last came in (workflow time), so a verdict that is still fresh is not asked again. */
  private lastVerdictAtMs: number | undefined;
  /** Which judge this release's metrics get, fixed when it starts; undefined is the fixed judge of before v6. */
  private readonly judge: 'sequential' | 'fixed' | undefined;

  constructor(
    private readonly input: ReleaseInput,
    private readonly status: ReleaseStatus,
    private readonly note: Note,
  ) {
    const metrics = input.health?.metrics;
    this.judge = metrics && patched(sequentialJudgePatch) ? (metrics.judge ?? 'sequential') : undefined;
  }

  get hasChecks(): boolean {
    return hasHealthChecks(this.input.health);
  }

  get intervalMs(): number {
    return this.input.health?.intervalMs ?? 10_000;
  }

  /** Whether the candidate takes traffic now, so the net must be up. */
  get isCandidateLive(): boolean {
    return this.status.candidateWeightPercent > 0 && this.status.candidateVersion !== null;
  }

  checkInput(stage: 'step' | 'promotion'): HealthCheckInput {
    return {
      functionName: this.input.functionName,
      region: this.input.region,
      ...roleFieldsOf(this.input),
      alias: this.input.alias,
      stableVersion: this.status.stableVersion,
      candidateVersion: this.status.candidateVersion ?? '',
      candidateWeightPercent: this.status.candidateWeightPercent,
      stage,
      stepIndex: this.status.stepIndex,
      ...(this.input.health ? { health: this.input.health } : {}),
      ...(this.trafficMovedAt ? { trafficMovedAt: this.trafficMovedAt } : {}),
      ...(this.judge ? { judge: this.judge } : {}),
    };
  }

  /**
   * Waits up to `watchMs`, or until `stopWhen()` holds, watching health when the candidate takes traffic.
   * Returns the monitor's verdict at the end of the time, or undefined when `stopWhen` ended the wait.
   * A failing verdict throws (the release rolls back), whatever the wait was for.
   */
  async watch(watchMs: number, stopWhen: () => boolean): Promise<MonitorResult | undefined> {
    if (!this.hasChecks || !this.isCandidateLive) {
      const isStopped = await condition(stopWhen, Math.max(0, watchMs));
      return isStopped ? undefined : { status: 'pass', message: 'no health checks configured', checksRun: 0 };
    }
    const watchFrom = new Date(Date.now()).toISOString();
    const watchUntil = new Date(Date.now() + Math.max(0, watchMs)).toISOString();
    const queue = patched(healthWatchQueuePatch) ? healthWatchQueue(workflowInfo().taskQueue) : undefined;
    const { monitorHealth } = proxyActivities<ReleaseActivities>(onQueue(monitoring(watchMs), queue));
    const scope = new CancellationScope();
    const watching = scope.run(() =>
      monitorHealth({ ...this.checkInput('step'), watchFrom, watchUntil, intervalMs: this.intervalMs }),
    );
    const result = await Promise.race([watching, condition(stopWhen).then(() => undefined)]);
    if (result === undefined) {
      scope.cancel();
      await watching.catch(() => undefined);
      return undefined;
    }
    if (result.status === 'fail') {
      this.note('health_verdict', `fail after ${result.checksRun} checks: ${result.message}`, {
        verdict: result,
      });
      throw this.unhealthy(result.message, result);
    }
    if (result.status === 'pass' && result.checksRun > 0) this.lastVerdictAtMs = Date.now();
    return result;
  }

  /**
   * A fresh verdict right before traffic moves further or the candidate is promoted. The monitor's last
   * check counts when it passed within one interval (a bake that just ended); after an approval wait or a
   * pause it does not, and the candidate is checked again.
   */
  async freshVerdict(before: string): Promise<void> {
    if (!this.hasChecks || !this.isCandidateLive) return;
    if (this.lastVerdictAtMs !== undefined && Date.now() - this.lastVerdictAtMs <= this.intervalMs) return;
    const verdict = await lambda.checkHealth(
      this.checkInput(before.startsWith('promot') ? 'promotion' : 'step'),
    );
    this.note('health_verdict', `${verdict.status} (fresh check before ${before}): ${verdict.message}`, {
      verdict,
    });
    if (verdict.status === 'fail') throw this.unhealthy(verdict.message, verdict);
  }

  unhealthy(message: string, verdict: unknown): ReleaseStop {
    return stop(FailureType.Unhealthy, `unhealthy: ${message}`, { verdict });
  }
}
