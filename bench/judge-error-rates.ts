/**
 * The judges' error rates on seeded, simulated traffic (no Temporal, no simulator: the judges are pure).
 * A 1 h bake at a 10 % canary, checked every 10 s, 50 invocations/s through the alias; errors binomial
 * at 0.5 % on stable, durations lognormal (median 50 ms, σ 0.5). CloudWatch is modelled as publishing
 * per-minute datapoints at once (no ingestion delay: the delay shifts every verdict by the same amount).
 *   - false rollbacks over healthy releases (candidate identical to stable), goal ≤ 1 % for the new judge;
 *   - detection power and time for 2× and 5× stable's error rate and a +50 % p99.
 * Both judges see the same traffic and the same spec. RAMP_BENCH_RELEASES scales the count.
 */

import type { HealthConfig } from '../src/domain/health-spec.ts';
import type { HealthVerdict } from '../src/domain/health-verdict.ts';
import { judge, type VersionMetrics } from '../src/health/judge.ts';
import { judgeSequential } from '../src/health/sequential-judge.ts';
import type { MetricsMinute } from '../src/health/version-metrics.ts';

const healthyReleases = Number(process.env.RAMP_BENCH_RELEASES ?? 1000);
const badReleases = Math.max(50, Math.round(healthyReleases / 5));
const bakeSeconds = 3600;
const intervalSeconds = 10;
const invocationsPerSecond = 50;
const canaryWeight = 0.1;
const stableErrorRate = 0.005;
const medianMs = 50;
const sigma = 0.5;

const spec = (errorRate?: { maxRatioToStable: number }): HealthConfig => ({
  intervalMs: intervalSeconds * 1000,
  alarms: [],
  preexistingAlarms: 'ignore',
  metrics: {
    minInvocations: 50,
    confidence: 0.99,
    insufficientTraffic: 'wait',
    ...(errorRate ? { errorRate } : {}),
    p99Duration: { maxRatioToStable: 1.2 },
  },
});

/** mulberry32: small, fast, seedable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(uniform: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function poisson(uniform: () => number, mean: number): number {
  // Knuth's method: means here are at most a few units per 10 s.
  const limit = Math.exp(-mean);
  let count = 0;
  let product = uniform();
  while (product > limit) {
    count++;
    product *= uniform();
  }
  return count;
}

/**
 * Durations above the 97.7th percentile of stable's distribution in 0.5 % bins: enough for an exact
 * p99 (nearest rank) without keeping every sample.
 */
const tailFloor = Math.log(medianMs) + 2 * sigma;
const binWidth = 0.005;
const bins = Math.ceil((8 * sigma) / binWidth);

class Tail {
  counts = new Uint32Array(bins);
  total = 0;
  add(logMs: number): void {
    this.total++;
    if (logMs < tailFloor) return;
    const bin = Math.min(bins - 1, Math.floor((logMs - tailFloor) / binWidth));
    this.counts[bin] = (this.counts[bin] ?? 0) + 1;
  }
  /** Nearest-rank p99, or null when it lies below the tail kept (too few samples). */
  p99(): number | null {
    if (this.total === 0) return null;
    let fromTop = this.total - Math.ceil(0.99 * this.total) + 1;
    for (let bin = bins - 1; bin >= 0; bin--) {
      fromTop -= this.counts[bin] ?? 0;
      if (fromTop <= 0) return Math.exp(tailFloor + (bin + 0.5) * binWidth);
    }
    return Math.exp(tailFloor);
  }
}

interface Scenario {
  name: string;
  errorRateMultiple: number;
  /** σ of the candidate's log-duration; a wider σ with the same median raises p99 only. */
  candidateSigma: number;
  releases: number;
}

interface Outcome {
  failedAtSeconds: number | null;
}

type Judges = Record<string, (state: ReleaseState) => HealthVerdict>;

interface VersionState {
  minutes: MetricsMinute[];
  minuteTail: Tail;
  cumulativeTail: Tail;
  invocations: number;
  errors: number;
}

interface ReleaseState {
  candidate: VersionState;
  stable: VersionState;
}

const shiftMs = Date.UTC(2026, 0, 1);

const judges: Judges = {
  "today's (fixed, default spec)": (s) =>
    judge({ config: spec(), alarms: [], candidate: cumulative(s.candidate), stable: cumulative(s.stable) }),
  "today's (fixed, errorRate ×1.2)": (s) =>
    judge({
      config: spec({ maxRatioToStable: 1.2 }),
      alarms: [],
      candidate: cumulative(s.candidate),
      stable: cumulative(s.stable),
    }),
  'sequential (default spec)': (s) =>
    judgeSequential({
      config: spec(),
      alarms: [],
      candidate: s.candidate.minutes,
      stable: s.stable.minutes,
      trafficMovedAtMs: shiftMs,
    }),
};

function cumulative(version: VersionState): VersionMetrics {
  return {
    invocations: version.invocations,
    errors: version.errors,
    throttles: 0,
    p50Ms: null,
    p99Ms: version.cumulativeTail.p99(),
  };
}

function runRelease(scenario: Scenario, seed: number): Record<string, Outcome> {
  const uniform = random(seed);
  const newVersion = (): VersionState => ({
    minutes: [],
    minuteTail: new Tail(),
    cumulativeTail: new Tail(),
    invocations: 0,
    errors: 0,
  });
  const state: ReleaseState = { candidate: newVersion(), stable: newVersion() };
  const outcomes: Record<string, Outcome> = Object.fromEntries(
    Object.keys(judges).map((name) => [name, { failedAtSeconds: null }]),
  );
  const perInterval = invocationsPerSecond * intervalSeconds;
  for (let t = intervalSeconds; t <= bakeSeconds; t += intervalSeconds) {
    const minuteIndex = Math.floor((t - intervalSeconds) / 60);
    const candidateCount = Math.max(
      0,
      Math.round(
        perInterval * canaryWeight +
          normal(uniform) * Math.sqrt(perInterval * canaryWeight * (1 - canaryWeight)),
      ),
    );
    const traffic = [
      {
        version: state.candidate,
        count: candidateCount,
        errorRate: stableErrorRate * scenario.errorRateMultiple,
        sigma: scenario.candidateSigma,
      },
      { version: state.stable, count: perInterval - candidateCount, errorRate: stableErrorRate, sigma },
    ];
    for (const { version, count, errorRate, sigma: versionSigma } of traffic) {
      if (version.minutes.length <= minuteIndex) {
        version.minuteTail = new Tail();
        version.minutes.push({
          startMs: shiftMs + minuteIndex * 60_000,
          invocations: 0,
          errors: 0,
          throttles: 0,
          p50Ms: null,
          p99Ms: null,
        });
      }
      const errors = poisson(uniform, count * errorRate);
      for (let i = 0; i < count; i++) {
        const logMs = Math.log(medianMs) + versionSigma * normal(uniform);
        version.minuteTail.add(logMs);
        version.cumulativeTail.add(logMs);
      }
      version.invocations += count;
      version.errors += errors;
      const minute = version.minutes[minuteIndex] as MetricsMinute;
      minute.invocations += count;
      minute.errors += errors;
      minute.p99Ms = version.minuteTail.p99();
    }
    let pending = false;
    for (const [name, judgeNow] of Object.entries(judges)) {
      const outcome = outcomes[name] as Outcome;
      if (outcome.failedAtSeconds !== null) continue;
      if (judgeNow(state).status === 'fail') outcome.failedAtSeconds = t;
      else pending = true;
    }
    if (!pending) break;
  }
  return outcomes;
}

const scenarios: Scenario[] = [
  {
    name: 'healthy (candidate = stable)',
    errorRateMultiple: 1,
    candidateSigma: sigma,
    releases: healthyReleases,
  },
  { name: '2× error rate', errorRateMultiple: 2, candidateSigma: sigma, releases: badReleases },
  { name: '5× error rate', errorRateMultiple: 5, candidateSigma: sigma, releases: badReleases },
  {
    name: '+50 % p99',
    errorRateMultiple: 1,
    // p99 = median · exp(2.326 σ): +50 % at the same median.
    candidateSigma: sigma + Math.log(1.5) / 2.3263,
    releases: badReleases,
  },
];

const started = performance.now();
const rows: string[][] = [
  [
    'scenario',
    'judge',
    'releases',
    'rolled back',
    'rate',
    'goal',
    'ratio to goal',
    'median time',
    'p90 time',
  ],
];
const formatSeconds = (s: number | undefined) =>
  s === undefined ? '–' : s < 120 ? `${s} s` : `${(s / 60).toFixed(1)} min`;
for (const [index, scenario] of scenarios.entries()) {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(judges).map((name) => [name, []]));
  for (let release = 0; release < scenario.releases; release++) {
    const outcomes = runRelease(scenario, 1_000_003 * (index + 1) + release);
    for (const [name, outcome] of Object.entries(outcomes))
      if (outcome.failedAtSeconds !== null) times[name]?.push(outcome.failedAtSeconds);
  }
  const isHealthy = scenario.errorRateMultiple === 1 && scenario.candidateSigma === sigma;
  for (const name of Object.keys(judges)) {
    const list = (times[name] ?? []).sort((a, b) => a - b);
    const rate = list.length / scenario.releases;
    // Goals: ≤ 1 % false rollbacks when healthy; otherwise report power (no goal stated: ratio to 100 %).
    const goal = isHealthy ? 0.01 : 1;
    rows.push([
      scenario.name,
      name,
      String(scenario.releases),
      String(list.length),
      `${(rate * 100).toFixed(1)} %`,
      isHealthy ? '≤ 1 %' : 'power → 100 %',
      (rate / goal).toFixed(2),
      formatSeconds(list[Math.floor(list.length / 2)]),
      formatSeconds(list[Math.floor(list.length * 0.9)]),
    ]);
  }
}
const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
console.log(
  `\n1 h bake, 10 s interval, 50 invocations/s, 10 % canary, stable errors 0.5 %, lognormal durations ` +
    `(median ${medianMs} ms, σ ${sigma}); ${healthyReleases} healthy releases, ${badReleases} per bad scenario; ` +
    `times from the shift to the first failing check; ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
