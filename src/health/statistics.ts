import { cumulativeStdNormalProbability, probit } from 'simple-statistics';

/**
 * One-sided tests on error (or throttle) counts, so a verdict rests on evidence rather than noise:
 * a lucky handful of errors in a small sample does not roll back, and a small but real regression over
 * enough traffic does.
 */
export interface ProportionTest {
  /** Whether the null hypothesis (candidate within the limit) is rejected at the confidence. */
  isSignificant: boolean;
  z: number;
  /** One-sided p-value. */
  pValue: number;
}

function result(z: number, confidence: number): ProportionTest {
  const pValue = 1 - cumulativeStdNormalProbability(z);
  return { isSignificant: z > probit(confidence), z, pValue };
}

/** H0: the candidate's true rate is at most `limit`. Rejected when `failures/trials` is significantly above it. */
export function rateAboveLimit(
  failures: number,
  trials: number,
  limit: number,
  confidence: number,
): ProportionTest {
  if (trials === 0) return { isSignificant: false, z: 0, pValue: 1 };
  const rate = failures / trials;
  if (limit <= 0)
    return rate > 0 ? { isSignificant: true, z: Number.POSITIVE_INFINITY, pValue: 0 } : result(0, confidence);
  if (limit >= 1) return result(Number.NEGATIVE_INFINITY, confidence);
  return result((rate - limit) / Math.sqrt((limit * (1 - limit)) / trials), confidence);
}

/**
 * H0: the candidate's rate is at most `ratio` × the stable version's. Two-proportion z-test (pooled under
 * H0 when ratio is 1, Wald otherwise).
 */
export function rateAboveStable(
  candidate: { failures: number; trials: number },
  stable: { failures: number; trials: number },
  ratio: number,
  confidence: number,
): ProportionTest {
  if (candidate.trials === 0 || stable.trials === 0) return { isSignificant: false, z: 0, pValue: 1 };
  const p1 = candidate.failures / candidate.trials;
  const p2 = stable.failures / stable.trials;
  let variance: number;
  if (ratio === 1) {
    const pooled = (candidate.failures + stable.failures) / (candidate.trials + stable.trials);
    variance = pooled * (1 - pooled) * (1 / candidate.trials + 1 / stable.trials);
  } else {
    variance = (p1 * (1 - p1)) / candidate.trials + (ratio * ratio * p2 * (1 - p2)) / stable.trials;
  }
  const difference = p1 - ratio * p2;
  if (variance === 0) {
    return difference > 0
      ? { isSignificant: true, z: Number.POSITIVE_INFINITY, pValue: 0 }
      : result(0, confidence);
  }
  return result(difference / Math.sqrt(variance), confidence);
}
