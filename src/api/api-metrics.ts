import { Counter, Gauge, Registry } from 'prom-client';
import { releaseOutcomes } from '../domain/release-status.ts';
import { metricsRegistry } from '../observability/metrics.ts';

/** API errors by type and status, on the shared registry (the worker's figures are on the same page). */
export const apiErrors = new Counter({
  name: 'ramp_api_errors_total',
  help: 'API error answers by error type and HTTP status',
  labelNames: ['type', 'status'],
  registers: [metricsRegistry],
});

export type CountReleases = (filter: {
  outcome?: string;
  phase?: string;
  isRunning?: boolean;
}) => Promise<number>;

const countCacheMs = 15_000;

/**
 * Releases by outcome, counted from Temporal's visibility at scrape time (the API keeps no state of its own,
 * so counts survive API restarts and agree across replicas). Cached for 15 s so scrapes cannot hammer
 * Temporal; while Temporal is unreachable these figures are left out rather than failing /metrics.
 * One registry per server, because the counting function belongs to that server.
 */
export function createReleaseCounts(count: CountReleases): { metrics(): Promise<string> } {
  const registry = new Registry();
  const byOutcome = new Gauge({
    name: 'ramp_releases_by_outcome',
    help: 'Ended releases in Temporal visibility (within the namespace retention), by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const running = new Gauge({
    name: 'ramp_releases_running',
    help: 'Releases running now, from Temporal visibility',
    registers: [registry],
  });
  // A rollback that keeps failing (say IAM denies UpdateAlias) stays in this phase, retrying, until a person
  // fixes the cause: alert on it. The reason is in the release's status and timeline.
  const rollingBack = new Gauge({
    name: 'ramp_releases_rolling_back',
    help: 'Running releases that are rolling back now, from Temporal visibility',
    registers: [registry],
  });
  let refreshedAt = 0;
  return {
    async metrics() {
      if (Date.now() - refreshedAt >= countCacheMs) {
        try {
          const [runningCount, rollingBackCount, ...counts] = await Promise.all([
            count({ isRunning: true }),
            count({ isRunning: true, phase: 'rolling_back' }),
            ...releaseOutcomes.map((outcome) => count({ outcome })),
          ]);
          running.set(runningCount);
          rollingBack.set(rollingBackCount ?? 0);
          releaseOutcomes.forEach((outcome, i) => {
            byOutcome.set({ outcome }, counts[i] ?? 0);
          });
          refreshedAt = Date.now();
        } catch {
          return '';
        }
      }
      return registry.metrics();
    },
  };
}
