/**
 * The sequential judge: per-minute CloudWatch datapoints since the shift in, a verdict out, with error
 * rates that hold however often it is asked (every health interval of a long bake). Counts are judged by
 * mixture sequential probability ratio tests, latency by a Mann–Whitney test on fixed windows of
 * per-minute percentiles, and a practical threshold keeps regressions nobody would roll back for from
 * failing. Pure: tested without I/O. The maths is in docs/health.md.
 */

import { defaultTolerance, type HealthConfig } from '../domain/health-spec.ts';
import type { HealthCheck, HealthVerdict } from '../domain/health-verdict.ts';
import { type AlarmReading, judgeAlarms, percent, verdictOf } from './judge.ts';
import {
  mannWhitneyGreater,
  type PairedCounts,
  sequentialRateAboveLimit,
  sequentialRateRatio,
  windowAlpha,
} from './sequential-tests.ts';
import type { MetricsMinute } from './version-metrics.ts';

const minuteMs = 60_000;
const defaultLatencyWindowMinutes = 10;

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** The phrase a verdict carries while CloudWatch has published nothing of the candidate yet. */
export const waitingForCloudWatch = (dataUpToMs: number) =>
  `waiting for CloudWatch (data up to ${clockTime(dataUpToMs)})`;

type Metrics = NonNullable<HealthConfig['metrics']>;
type RateLimit = Metrics['errorRate'];
type LatencyLimit = Metrics['p99Duration'];

const total = (series: MetricsMinute[], pick: (minute: MetricsMinute) => number) =>
  series.reduce((sum, minute) => sum + pick(minute), 0);

/** Pairs the two versions' minutes by timestamp: the count test compares like with like. */
function pairedCounts(
  candidate: MetricsMinute[],
  stable: MetricsMinute[],
  failures: (minute: MetricsMinute) => number,
): PairedCounts[] {
  const stableByMinute = new Map(stable.map((minute) => [minute.startMs, minute]));
  return candidate.flatMap((minute) => {
    const other = stableByMinute.get(minute.startMs);
    if (!other) return [];
    return [
      {
        candidate: { failures: failures(minute), trials: minute.invocations },
        stable: { failures: failures(other), trials: other.invocations },
      },
    ];
  });
}

function judgeRate(
  label: string,
  failures: (minute: MetricsMinute) => number,
  limit: RateLimit,
  candidate: MetricsMinute[],
  stable: MetricsMinute[] | null,
  metrics: Metrics,
): HealthCheck[] {
  const checks: HealthCheck[] = [];
  const alpha = 1 - metrics.confidence;
  const tolerance = metrics.tolerance ?? defaultTolerance;
  const c = { failures: total(candidate, failures), trials: total(candidate, (m) => m.invocations) };
  const candidateRate = c.failures / Math.max(1, c.trials);
  const measured = `${percent(candidateRate)} (${c.failures}/${c.trials})`;
  if (limit?.max !== undefined) {
    const test = sequentialRateAboveLimit(c.failures, c.trials, limit.max, alpha);
    checks.push({
      name: `${label} ≤ ${percent(limit.max)}`,
      status: test.isRejected ? 'fail' : 'pass',
      measured,
      against: `${percent(limit.max)}; sequential test, always-valid p=${test.pValue.toFixed(4)}, fails below ${alpha}`,
    });
  }
  const stableTrials = stable ? total(stable, (m) => m.invocations) : 0;
  const ratio = limit?.maxRatioToStable ?? tolerance.ratioToStable;
  if (stable && stableTrials >= metrics.minInvocations) {
    const s = { failures: total(stable, failures), trials: stableTrials };
    const stableRate = s.failures / s.trials;
    const test = sequentialRateRatio(pairedCounts(candidate, stable, failures), ratio, alpha);
    // The absolute floor is a condition on the observed excess: it can only remove rollbacks.
    const isMaterial = candidateRate - stableRate > tolerance.minRateIncrease;
    checks.push({
      name: `${label} vs stable ×${ratio}`,
      status: test.isRejected && isMaterial ? 'fail' : 'pass',
      measured,
      against:
        `stable ${percent(stableRate)} (${s.failures}/${s.trials}); tolerance ×${ratio} and ` +
        `+${percent(tolerance.minRateIncrease)}; sequential test, always-valid p=${test.pValue.toFixed(4)}, fails below ${alpha}`,
    });
  } else if (limit?.maxRatioToStable !== undefined) {
    checks.push({
      name: `${label} vs stable ×${ratio}`,
      status: 'inconclusive',
      measured,
      against: `stable has too little traffic (${stableTrials} < ${metrics.minInvocations})`,
    });
  }
  return checks;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * Latency from CloudWatch is a percentile per minute, not individual durations, so the rank test
 * compares the candidate's per-minute percentiles with the stable's (scaled by the tolerance) on fixed,
 * non-overlapping windows, each judged once it is complete and with its own share of α.
 */
function judgeLatency(
  label: 'p50' | 'p99',
  limit: LatencyLimit,
  candidate: MetricsMinute[],
  stable: MetricsMinute[] | null,
  metrics: Metrics,
): HealthCheck[] {
  if (!limit) return [];
  const alpha = 1 - metrics.confidence;
  const windowMinutes = metrics.latencyWindowMinutes ?? defaultLatencyWindowMinutes;
  const ratio = limit.maxRatioToStable ?? 1;
  const percentileOf = (minute: MetricsMinute) => (label === 'p50' ? minute.p50Ms : minute.p99Ms);
  const all = [...candidate, ...(stable ?? [])];
  const originMs = Math.min(...all.map((minute) => minute.startMs));
  const indexOf = (minute: MetricsMinute) => Math.round((minute.startMs - originMs) / minuteMs);
  const newestIndex = Math.max(...all.map(indexOf));
  // A window is complete once a later minute has been published.
  const completeWindows = Math.floor(newestIndex / windowMinutes);
  const inWindow = (series: MetricsMinute[], k: number) =>
    series
      .filter((minute) => Math.floor(indexOf(minute) / windowMinutes) === k && minute.invocations > 0)
      .map(percentileOf)
      .filter((value): value is number => value !== null);
  const pending = `no complete ${windowMinutes}-minute window yet (${newestIndex} min published)`;
  const checks: HealthCheck[] = [];
  if (limit.maxMs !== undefined) {
    const maxMs = limit.maxMs;
    const medians = Array.from({ length: completeWindows }, (_, k) => inWindow(candidate, k))
      .filter((values) => values.length > 0)
      .map(median);
    const worst = medians.length === 0 ? null : Math.max(...medians);
    checks.push({
      name: `${label} duration ≤ ${maxMs} ms`,
      status: worst !== null && worst > maxMs ? 'fail' : 'pass',
      measured:
        worst === null ? pending : `${worst.toFixed(1)} ms (worst window's median of per-minute ${label})`,
      against: `${maxMs} ms`,
    });
  }
  if (limit.maxRatioToStable !== undefined && (!stable || stable.length === 0)) {
    checks.push({
      name: `${label} duration ≤ ${ratio} × stable`,
      status: 'inconclusive',
      measured: pending,
      against: 'stable has no data',
    });
  } else if (limit.maxRatioToStable !== undefined) {
    let worst: { k: number; pValue: number; candidate: number; stable: number } | null = null;
    let failedWindow: number | null = null;
    for (let k = 0; k < completeWindows; k++) {
      const c = inWindow(candidate, k);
      const s = inWindow(stable ?? [], k).map((value) => value * ratio);
      const test = mannWhitneyGreater(c, s, windowAlpha(alpha, k));
      if (worst === null || test.pValue < worst.pValue)
        worst = { k, pValue: test.pValue, candidate: median(c), stable: median(s) / ratio };
      if (test.isRejected && failedWindow === null) failedWindow = k;
    }
    checks.push({
      name: `${label} duration ≤ ${ratio} × stable`,
      status: failedWindow !== null ? 'fail' : 'pass',
      measured:
        worst === null
          ? pending
          : `minutes ${worst.k * windowMinutes}–${(worst.k + 1) * windowMinutes}: median per-minute ${label} ${worst.candidate.toFixed(1)} ms`,
      against:
        worst === null
          ? `stable × ${ratio}, Mann–Whitney per ${windowMinutes}-minute window`
          : `stable ${worst.stable.toFixed(1)} ms × ${ratio}; Mann–Whitney p=${worst.pValue.toFixed(4)}, window α=${windowAlpha(alpha, worst.k).toFixed(4)}`,
    });
  }
  return checks;
}

export function judgeSequential(input: {
  config: HealthConfig;
  alarms: AlarmReading[];
  /** Published minutes of the candidate since the shift, oldest first. */
  candidate: MetricsMinute[];
  stable: MetricsMinute[] | null;
  trafficMovedAtMs: number;
}): HealthVerdict {
  const { config } = input;
  const checks: HealthCheck[] = judgeAlarms(input.alarms, config.preexistingAlarms);
  const metrics = config.metrics;
  if (!metrics) return verdictOf(checks);
  const seen = [...input.candidate, ...(input.stable ?? [])].map((minute) => minute.startMs + minuteMs);
  const dataUpToMs = seen.length === 0 ? input.trafficMovedAtMs : Math.max(...seen);
  const invocations = total(input.candidate, (m) => m.invocations);
  if (invocations === 0) {
    checks.push({ name: 'metrics', status: 'inconclusive', measured: waitingForCloudWatch(dataUpToMs) });
    const verdict = verdictOf(checks);
    return verdict.status === 'inconclusive'
      ? { ...verdict, message: waitingForCloudWatch(dataUpToMs) }
      : verdict;
  }
  if (invocations < metrics.minInvocations) {
    checks.push({
      name: 'traffic',
      status: 'inconclusive',
      measured: `${invocations} invocations of the candidate published (data up to ${clockTime(dataUpToMs)})`,
      against: `at least ${metrics.minInvocations} needed for a verdict`,
    });
    return verdictOf(checks);
  }
  const args = [input.candidate, input.stable, metrics] as const;
  checks.push(...judgeRate('error rate', (m) => m.errors, metrics.errorRate, ...args));
  if (metrics.throttleRate)
    checks.push(...judgeRate('throttle rate', (m) => m.throttles, metrics.throttleRate, ...args));
  checks.push(...judgeLatency('p50', metrics.p50Duration, ...args));
  checks.push(...judgeLatency('p99', metrics.p99Duration, ...args));
  return verdictOf(checks);
}
