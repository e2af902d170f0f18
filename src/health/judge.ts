/**
 * Pure judgement of one health check round: alarms and per-version metrics in, a verdict with one line per
 * check out (what was measured, against what, pass / fail / inconclusive). No I/O, so it is tested alone.
 */

import type { HealthConfig } from '../domain/health-spec.ts';
import type { HealthCheck, HealthVerdict } from '../domain/health-verdict.ts';
import { rateAboveLimit, rateAboveStable } from './statistics.ts';

export interface VersionMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface AlarmReading {
  name: string;
  state: string;
  reason?: string;
  /** Was in ALARM before any traffic moved to the candidate. */
  wasAlarmingBefore: boolean;
}

export const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

export function judgeAlarms(
  alarms: AlarmReading[],
  policy: HealthConfig['preexistingAlarms'],
): HealthCheck[] {
  return alarms.map((alarm): HealthCheck => {
    const name = `alarm ${alarm.name}`;
    if (alarm.state !== 'ALARM') return { name, status: 'pass', measured: alarm.state };
    if (alarm.wasAlarmingBefore && policy === 'ignore') {
      return {
        name,
        status: 'pass',
        measured: 'ALARM (already before traffic moved)',
        against: 'ignored by policy: the per-version metrics decide',
      };
    }
    return {
      name,
      status: 'fail',
      measured: `ALARM${alarm.reason ? `: ${alarm.reason}` : ''}`,
      against: 'OK',
    };
  });
}

function judgeRate(
  label: string,
  failures: (m: VersionMetrics) => number,
  limit: { max?: number; maxRatioToStable?: number } | undefined,
  candidate: VersionMetrics,
  stable: VersionMetrics | null,
  minInvocations: number,
  confidence: number,
): HealthCheck[] {
  const checks: HealthCheck[] = [];
  const c = { failures: failures(candidate), trials: candidate.invocations };
  const measured = `${percent(c.failures / Math.max(1, c.trials))} (${c.failures}/${c.trials})`;
  if (limit?.max !== undefined) {
    const test = rateAboveLimit(c.failures, c.trials, limit.max, confidence);
    checks.push({
      name: `${label} ≤ ${percent(limit.max)}`,
      status: test.isSignificant ? 'fail' : 'pass',
      measured,
      against: `${percent(limit.max)}; one-sided test p=${test.pValue.toFixed(4)} at ${confidence * 100}% confidence`,
    });
  }
  // Always compare with the stable version when it has enough traffic of its own: a statistical test,
  // not a threshold, so small real regressions are caught and noise is not.
  const ratio = limit?.maxRatioToStable ?? 1;
  if (stable && stable.invocations >= minInvocations) {
    const s = { failures: failures(stable), trials: stable.invocations };
    const test = rateAboveStable(c, s, ratio, confidence);
    checks.push({
      name: `${label} vs stable${ratio === 1 ? '' : ` ×${ratio}`}`,
      status: test.isSignificant ? 'fail' : 'pass',
      measured,
      against: `stable ${percent(s.failures / s.trials)} (${s.failures}/${s.trials}); two-proportion test p=${test.pValue.toFixed(4)}`,
    });
  } else if (limit?.maxRatioToStable !== undefined) {
    checks.push({
      name: `${label} vs stable ×${ratio}`,
      status: 'inconclusive',
      measured,
      against: `stable has too little traffic (${stable?.invocations ?? 0} < ${minInvocations})`,
    });
  }
  return checks;
}

function judgeLatency(
  label: 'p50' | 'p99',
  limit: { maxMs?: number; maxRatioToStable?: number } | undefined,
  candidate: VersionMetrics,
  stable: VersionMetrics | null,
  minInvocations: number,
): HealthCheck[] {
  if (!limit) return [];
  const value = label === 'p50' ? candidate.p50Ms : candidate.p99Ms;
  const stableValue =
    stable && stable.invocations >= minInvocations ? (label === 'p50' ? stable.p50Ms : stable.p99Ms) : null;
  const checks: HealthCheck[] = [];
  const measured = value === null ? 'no data' : `${value.toFixed(1)} ms`;
  if (limit.maxMs !== undefined) {
    checks.push({
      name: `${label} duration ≤ ${limit.maxMs} ms`,
      status: value === null ? 'inconclusive' : value > limit.maxMs ? 'fail' : 'pass',
      measured,
      against: `${limit.maxMs} ms`,
    });
  }
  if (limit.maxRatioToStable !== undefined) {
    const ceiling = stableValue === null ? null : stableValue * limit.maxRatioToStable;
    checks.push({
      name: `${label} duration ≤ ${limit.maxRatioToStable} × stable`,
      status: value === null || ceiling === null ? 'inconclusive' : value > ceiling ? 'fail' : 'pass',
      measured,
      against:
        ceiling === null
          ? 'stable has no data'
          : `${ceiling.toFixed(1)} ms (stable ${stableValue?.toFixed(1)} ms)`,
    });
  }
  return checks;
}

export function judge(input: {
  config: HealthConfig;
  alarms: AlarmReading[];
  candidate: VersionMetrics | null;
  stable: VersionMetrics | null;
}): HealthVerdict {
  const { config } = input;
  const checks: HealthCheck[] = judgeAlarms(input.alarms, config.preexistingAlarms);
  const metrics = config.metrics;
  if (metrics && input.candidate) {
    const candidate = input.candidate;
    if (candidate.invocations < metrics.minInvocations) {
      checks.push({
        name: 'traffic',
        status: 'inconclusive',
        measured: `${candidate.invocations} invocations of the candidate`,
        against: `at least ${metrics.minInvocations} needed for a verdict`,
      });
    } else {
      const args = [candidate, input.stable, metrics.minInvocations, metrics.confidence] as const;
      checks.push(...judgeRate('error rate', (m) => m.errors, metrics.errorRate, ...args));
      if (metrics.throttleRate)
        checks.push(...judgeRate('throttle rate', (m) => m.throttles, metrics.throttleRate, ...args));
      checks.push(
        ...judgeLatency('p50', metrics.p50Duration, candidate, input.stable, metrics.minInvocations),
      );
      checks.push(
        ...judgeLatency('p99', metrics.p99Duration, candidate, input.stable, metrics.minInvocations),
      );
    }
  }
  return verdictOf(checks);
}

/** Fail if any check fails, else inconclusive if any is, else pass; the message names the checks that decided. */
export function verdictOf(checks: HealthCheck[]): HealthVerdict {
  const failing = checks.filter((check) => check.status === 'fail');
  const unsure = checks.filter((check) => check.status === 'inconclusive');
  const line = (check: HealthCheck) =>
    `${check.name}: ${check.measured ?? ''}${check.against ? ` (against ${check.against})` : ''}`;
  if (failing.length > 0) return { status: 'fail', message: failing.map(line).join('; '), checks };
  if (unsure.length > 0) return { status: 'inconclusive', message: unsure.map(line).join('; '), checks };
  return {
    status: 'pass',
    message: checks.length > 0 ? `${checks.length} checks pass` : 'no checks configured',
    checks,
  };
}
