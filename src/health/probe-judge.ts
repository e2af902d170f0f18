/**
 * Judges synthetic probes (src/health/probes.ts): the candidate's failures against the stable version's,
 * with the same always-valid test the sequential judge uses for error rates (so the health monitor may look
 * every interval of a long bake), plus a plain check that catches a candidate that fails every probe within
 * a few of them. Pure: outcomes in, checks out. The maths is in docs/health.md ("Synthetic probes").
 */
import { defaultTolerance, type HealthConfig } from '../domain/health-spec.ts';
import type { HealthCheck, HealthVerdict } from '../domain/health-verdict.ts';
import { consecutiveFailuresToFail } from '../domain/probe-timing.ts';
import { percent, verdictOf } from './judge.ts';
import { isCounted, isFailed, type ProbeOutcome } from './probes.ts';
import { type PairedCounts, sequentialRateRatio } from './sequential-tests.ts';

// The candidate's last n answered probes all failed while stable's did not: a broken candidate. Under "both
// versions fail a probe with the same chance p", the chance that one look sees it is pⁿ(1−p)ⁿ ≤ 4⁻ⁿ
// (1.5 × 10⁻⁵ at n = 8, whatever p); for p ≤ 5 %, below 10⁻¹⁰.
export { consecutiveFailuresToFail } from '../domain/probe-timing.ts';

const secondMs = 1000;

function counts(outcomes: ProbeOutcome[]) {
  const counted = outcomes.filter(isCounted);
  return { failures: counted.filter(isFailed).length, trials: counted.length, counted };
}

/** Pairs the versions' answered probes by the second they ended in: the count test compares like with like. */
function pairedBySecond(candidate: ProbeOutcome[], stable: ProbeOutcome[]): PairedCounts[] {
  const bucket = (outcomes: ProbeOutcome[]) => {
    const bySecond = new Map<number, { failures: number; trials: number }>();
    for (const outcome of outcomes.filter(isCounted)) {
      const second = Math.floor(outcome.atMs / secondMs);
      const cell = bySecond.get(second) ?? { failures: 0, trials: 0 };
      cell.trials++;
      if (isFailed(outcome)) cell.failures++;
      bySecond.set(second, cell);
    }
    return bySecond;
  };
  const c = bucket(candidate);
  const s = bucket(stable);
  return [...c.entries()].flatMap(([second, cell]) => {
    const other = s.get(second);
    return other ? [{ candidate: cell, stable: other }] : [];
  });
}

/** The commonest reasons among failures, e.g. "Unhandled ×7, timeout ×1". */
function reasonsOf(outcomes: ProbeOutcome[]): string {
  const byReason = new Map<string, number>();
  for (const outcome of outcomes.filter(isFailed)) {
    const reason = outcome.result === 'timeout' ? 'timeout' : (outcome.detail ?? outcome.result);
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...byReason.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, count]) => `${reason} ×${count}`)
    .join(', ');
}

const notes = (outcomes: ProbeOutcome[]) => {
  const throttled = outcomes.filter((o) => o.result === 'throttled').length;
  const notSent = outcomes.filter((o) => o.result === 'notSent');
  return [
    throttled > 0 ? `${throttled} throttled` : '',
    notSent.length > 0 ? `${notSent.length} not sent (${notSent.at(-1)?.detail ?? ''})` : '',
  ]
    .filter(Boolean)
    .join('; ');
};

/**
 * The consecutive-failures rule alone, on the versions' last answered probes: all of the candidate's last 8
 * failed, and fewer than half of stable's did (stable failing as much is an outage of something both depend
 * on, not the candidate's regression). Cheap, so the monitor asks it between checks.
 */
export function isBrokenCandidate(lastCandidate: ProbeOutcome[], lastStable: ProbeOutcome[] | null): boolean {
  if (lastCandidate.length < consecutiveFailuresToFail || !lastCandidate.every(isFailed)) return false;
  return lastStable === null || lastStable.filter(isFailed).length < consecutiveFailuresToFail / 2;
}

export function judgeProbes(input: {
  config: HealthConfig;
  candidateVersion: string;
  stableVersion: string | null;
  candidate: ProbeOutcome[];
  /** Null when there is no stable version to compare with (a first release). */
  stable: ProbeOutcome[] | null;
}): HealthCheck[] {
  const metrics = input.config.metrics;
  const tolerance = metrics?.tolerance ?? defaultTolerance;
  const alpha = 1 - (metrics?.confidence ?? 0.99);
  const c = counts(input.candidate);
  const s = input.stable ? counts(input.stable) : null;
  const candidateNotes = notes(input.candidate);
  const measured = (x: { failures: number; trials: number }, extra = '') =>
    `${percent(x.failures / Math.max(1, x.trials))} failed (${x.failures}/${x.trials})${extra ? `; ${extra}` : ''}`;

  if (c.trials < consecutiveFailuresToFail) {
    return [
      {
        name: 'probes',
        status: 'inconclusive',
        measured: `${c.trials} probes of version ${input.candidateVersion} answered${candidateNotes ? ` (${candidateNotes})` : ''}`,
        against: `at least ${consecutiveFailuresToFail} needed for a verdict`,
      },
    ];
  }
  const checks: HealthCheck[] = [];
  const lastCandidate = c.counted.slice(-consecutiveFailuresToFail);
  const lastStable = s?.counted.slice(-consecutiveFailuresToFail) ?? [];
  const stableLastFailures = lastStable.filter(isFailed).length;
  const isCandidateBroken = lastCandidate.every(isFailed);
  checks.push({
    name: `probes: last ${consecutiveFailuresToFail} of the candidate`,
    status: isBrokenCandidate(lastCandidate, s === null ? null : lastStable) ? 'fail' : 'pass',
    measured: `${lastCandidate.filter(isFailed).length} of the last ${consecutiveFailuresToFail} probes of version ${input.candidateVersion} failed${isCandidateBroken ? ` (${reasonsOf(lastCandidate)})` : ''}`,
    against:
      s === null
        ? 'fails when all of them fail'
        : `stable version ${input.stableVersion}: ${stableLastFailures} of its last ${lastStable.length} failed; fails when all of the candidate's fail and fewer than half of stable's`,
  });
  if (s !== null && input.stable !== null) {
    const ratio = tolerance.ratioToStable;
    const test = sequentialRateRatio(pairedBySecond(input.candidate, input.stable), ratio, alpha);
    const candidateRate = c.failures / Math.max(1, c.trials);
    const stableRate = s.failures / Math.max(1, s.trials);
    const isMaterial = candidateRate - stableRate > tolerance.minRateIncrease;
    checks.push({
      name: 'probes: failure rate vs stable',
      status: test.isRejected && isMaterial ? 'fail' : 'pass',
      measured: measured(
        c,
        [c.failures > 0 ? reasonsOf(c.counted) : '', candidateNotes].filter(Boolean).join('; '),
      ),
      against:
        `stable ${measured(s, notes(input.stable))}; tolerance ×${ratio} and +${percent(tolerance.minRateIncrease)}; ` +
        `sequential test, always-valid p=${test.pValue.toFixed(4)}, fails below ${alpha}`,
    });
  }
  return checks;
}

/**
 * A gate's verdict with the probes' checks added: fail if either fails, inconclusive if either is, so a
 * verdict waiting for CloudWatch stays inconclusive and a probe failure does not wait for it.
 */
export function withProbeChecks(verdict: HealthVerdict, probeChecks: HealthCheck[]): HealthVerdict {
  if (probeChecks.length === 0) return verdict;
  const own: HealthCheck[] =
    verdict.checks && verdict.checks.length > 0
      ? verdict.checks
      : verdict.status === 'pass'
        ? []
        : [{ name: 'health', status: verdict.status, measured: verdict.message }];
  return verdictOf([...own, ...probeChecks]);
}
