/**
 * Tests whose error rate holds under continuous monitoring: the sequential judge re-runs them every
 * health interval on all data since the shift, and a healthy candidate must not be rolled back merely
 * because it was looked at 360 times. The maths and references are in docs/health.md.
 *
 * Pure and deterministic: counts in, a decision and its evidence out.
 */
import { errorFunction } from 'simple-statistics';

/** Alternatives mixed over, as multiples of the null value: a discrete mixture keeps the statistic closed-form. */
const alternativeMultiples = [1.25, 1.5, 2, 3, 5, 10] as const;

export interface SequentialTest {
  /** Whether H0 is rejected: the mixture likelihood ratio reached 1/α. */
  isRejected: boolean;
  /** ln of the mixture likelihood ratio (the e-value); rejection when ≥ ln(1/α). */
  logLikelihoodRatio: number;
  /** Always-valid p-value, min(1, 1/LR), valid at any stopping time. */
  pValue: number;
}

function logSumExp(values: number[]): number {
  const top = Math.max(...values);
  if (top === Number.NEGATIVE_INFINITY) return top;
  return top + Math.log(values.reduce((sum, value) => sum + Math.exp(value - top), 0));
}

function decision(logLikelihoodRatio: number, alpha: number): SequentialTest {
  return {
    isRejected: logLikelihoodRatio >= Math.log(1 / alpha),
    logLikelihoodRatio,
    pValue: Math.min(1, Math.exp(-logLikelihoodRatio)),
  };
}

/** x·ln(a/b) with 0·ln(anything) = 0, so empty cells contribute nothing. */
const term = (count: number, a: number, b: number) => (count === 0 ? 0 : count * Math.log(a / b));

/**
 * H0: the candidate's failure rate is at most `limit` (a fraction). A mixture of binomial likelihood
 * ratios over rates above the limit: each is a non-negative supermartingale under H0, so is their
 * average, and by Ville's inequality it ever reaches 1/α with probability at most α.
 */
export function sequentialRateAboveLimit(
  failures: number,
  trials: number,
  limit: number,
  alpha: number,
): SequentialTest {
  if (trials === 0 || limit >= 1) return decision(0, alpha);
  if (limit <= 0) return decision(failures > 0 ? Number.POSITIVE_INFINITY : 0, alpha);
  const logRatios = alternativeMultiples.map((multiple) => {
    const rate = Math.min(limit * multiple, (1 + limit) / 2);
    return (
      Math.log(1 / alternativeMultiples.length) +
      term(failures, rate, limit) +
      term(trials - failures, 1 - rate, 1 - limit)
    );
  });
  return decision(logSumExp(logRatios), alpha);
}

/** One period's counts of both versions, e.g. one CloudWatch minute. */
export interface PairedCounts {
  candidate: { failures: number; trials: number };
  stable: { failures: number; trials: number };
}

/**
 * H0: candidate rate ≤ `ratio` × stable rate. Conditional on the failures seen in a period, each one
 * belongs to the candidate with probability π = ρψ / (ρψ + 1), where ρ is the period's candidate/stable
 * traffic ratio and ψ the rate ratio (errors are rare, so Poisson). H0 is ψ ≤ ratio; the statistic mixes
 * the conditional likelihood ratios for ψ = ratio × {1.25 … 10} against ψ = ratio, multiplied over
 * periods. Periods keep the traffic ratio honest when the weight changes between steps, and the
 * conditioning removes the unknown base rate, so no variance is estimated and no normal approximation
 * is made (unlike a z-test, this stays valid with 0 or 1 errors).
 */
export function sequentialRateRatio(periods: PairedCounts[], ratio: number, alpha: number): SequentialTest {
  const sums = alternativeMultiples.map(() => 0);
  for (const { candidate, stable } of periods) {
    if (candidate.trials === 0 || stable.trials === 0) continue;
    if (candidate.failures + stable.failures === 0) continue;
    const rho = candidate.trials / stable.trials;
    const nullShare = (rho * ratio) / (rho * ratio + 1);
    alternativeMultiples.forEach((multiple, index) => {
      const psi = ratio * multiple;
      const share = (rho * psi) / (rho * psi + 1);
      sums[index] =
        (sums[index] ?? 0) +
        term(candidate.failures, share, nullShare) +
        term(stable.failures, 1 - share, 1 - nullShare);
    });
  }
  return decision(logSumExp(sums.map((sum) => sum + Math.log(1 / alternativeMultiples.length))), alpha);
}

export interface RankTest {
  isRejected: boolean;
  /** Mann–Whitney U of the candidate sample (pairs where candidate > stable, ties ½). */
  u: number;
  /** One-sided p-value: probability under H0 of a U at least this large. */
  pValue: number;
}

/** P(U ≥ u) under H0 for samples of n and m distinct values: counts of orderings by U, built by recursion on the largest value. */
function exactUpperTail(n: number, m: number, u: number): number {
  // dist[i][j][k]: orderings of i candidate and j stable values with U = k. The largest value is the
  // candidate's (it beats all j stable values: U grows by j) or the stable's (U unchanged).
  const dist: number[][][] = [];
  for (let i = 0; i <= n; i++) {
    const row: number[][] = [];
    for (let j = 0; j <= m; j++) {
      if (i === 0 || j === 0) {
        row.push([1]);
        continue;
      }
      const counts = new Array<number>(i * j + 1).fill(0);
      (dist[i - 1]?.[j] ?? []).forEach((count, k) => {
        counts[k + j] = (counts[k + j] ?? 0) + count;
      });
      (row[j - 1] ?? []).forEach((count, k) => {
        counts[k] = (counts[k] ?? 0) + count;
      });
      row.push(counts);
    }
    dist.push(row);
  }
  const counts = dist[n]?.[m] ?? [1];
  const total = counts.reduce((sum, count) => sum + count, 0);
  let tail = 0;
  for (let k = Math.ceil(u - 1e-9); k < counts.length; k++) tail += counts[k] ?? 0;
  return tail / total;
}

/**
 * One-sided Mann–Whitney U test on a fixed window, as Kayenta applies it to canary and baseline
 * time series: H0 is that the candidate's values are not stochastically larger than the stable's.
 * Exact null distribution for small windows (no ties assumed, the values are continuous), the normal
 * approximation with tie and continuity corrections above 50 × 50.
 */
export function mannWhitneyGreater(candidate: number[], stable: number[], alpha: number): RankTest {
  const n = candidate.length;
  const m = stable.length;
  if (n === 0 || m === 0) return { isRejected: false, u: 0, pValue: 1 };
  let u = 0;
  for (const c of candidate) for (const s of stable) u += c > s ? 1 : c === s ? 0.5 : 0;
  let pValue: number;
  if (n <= 50 && m <= 50) {
    pValue = exactUpperTail(n, m, u);
  } else {
    const all = [...candidate, ...stable].sort((a, b) => a - b);
    let tieTerm = 0;
    for (let i = 0; i < all.length; ) {
      let j = i;
      while (j < all.length && all[j] === all[i]) j++;
      const t = j - i;
      tieTerm += t * t * t - t;
      i = j;
    }
    const total = n + m;
    const variance = ((n * m) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
    const z = variance === 0 ? 0 : (u - (n * m) / 2 - 0.5) / Math.sqrt(variance);
    pValue = 1 - standardNormalCdf(z);
  }
  return { isRejected: pValue <= alpha, u, pValue };
}

const standardNormalCdf = (z: number) => 0.5 * (1 + errorFunction(z / Math.SQRT2));

/**
 * α spent on the k-th window (k from 0): α · 6 / (π² (k + 1)²), which sums to α over any number of
 * windows, so a bake of unknown length still keeps the latency test's family-wise error under α.
 */
export function windowAlpha(alpha: number, windowIndex: number): number {
  return (alpha * 6) / (Math.PI * Math.PI * (windowIndex + 1) * (windowIndex + 1));
}
