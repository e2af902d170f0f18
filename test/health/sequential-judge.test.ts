import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { HealthConfig } from '../../src/domain/health-spec.ts';
import { judgeSequential } from '../../src/health/sequential-judge.ts';
import {
  mannWhitneyGreater,
  sequentialRateAboveLimit,
  sequentialRateRatio,
  windowAlpha,
} from '../../src/health/sequential-tests.ts';
import type { MetricsMinute } from '../../src/health/version-metrics.ts';

const shiftMs = Date.UTC(2026, 10, 28, 12, 0, 0);

const minutes = (
  count: number,
  perMinute: { invocations: number; errors: number; p99Ms?: (minute: number) => number },
): MetricsMinute[] =>
  Array.from({ length: count }, (_, i) => ({
    startMs: shiftMs + i * 60_000,
    invocations: perMinute.invocations,
    errors: perMinute.errors,
    throttles: 0,
    p50Ms: 10,
    p99Ms: perMinute.p99Ms ? perMinute.p99Ms(i) : 50,
  }));

const config: HealthConfig = {
  intervalMs: 10_000,
  alarms: [],
  preexistingAlarms: 'ignore',
  metrics: {
    minInvocations: 50,
    confidence: 0.99,
    insufficientTraffic: 'wait',
    p99Duration: { maxRatioToStable: 1.2 },
  },
};

describe('sequential tests', () => {
  test('an identical candidate never fails the rate-ratio test, at any sample size', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            trials: fc.integer({ min: 1, max: 100_000 }),
            rate: fc.double({ min: 0, max: 0.2, noNaN: true }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (periods) => {
          // Equal rates and equal traffic: each version sees exactly the same counts.
          const paired = periods.map(({ trials, rate }) => {
            const failures = Math.round(trials * rate);
            return { candidate: { failures, trials }, stable: { failures, trials } };
          });
          return !sequentialRateRatio(paired, 1.2, 0.01).isRejected;
        },
      ),
    );
  });

  test('a 5× error rate fails once data suffices, and not on a handful of errors', () => {
    const period = (c: number, s: number) => ({
      candidate: { failures: c, trials: 300 },
      stable: { failures: s, trials: 2700 },
    });
    assert.equal(sequentialRateRatio([period(1, 0)], 1.2, 0.01).isRejected, false);
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 60 }), (count) => {
        // about 0.5% on stable, 2.7% on the candidate, at a 10% canary.
        const periods = Array.from({ length: count }, () => period(8, 13));
        return sequentialRateRatio(periods, 1.2, 0.01).isRejected;
      }),
    );
  });

  test('the always-valid p-value never grows as evidence of a regression accumulates', () => {
    const periods = Array.from({ length: 30 }, () => ({
      candidate: { failures: 6, trials: 300 },
      stable: { failures: 14, trials: 2700 },
    }));
    const pValues = periods.map((_, i) => sequentialRateRatio(periods.slice(0, i + 1), 1.2, 0.01).pValue);
    for (let i = 1; i < pValues.length; i++) assert.ok((pValues[i] ?? 1) <= (pValues[i - 1] ?? 1));
  });

  test('a rate well under its ceiling never fails; one far above it does', () => {
    assert.equal(sequentialRateAboveLimit(5, 10_000, 0.01, 0.01).isRejected, false);
    assert.equal(sequentialRateAboveLimit(40, 1000, 0.01, 0.01).isRejected, true);
    assert.equal(sequentialRateAboveLimit(2, 100, 0.01, 0.01).isRejected, false);
  });

  test('Mann–Whitney: exact p-values match the textbook, and shifted samples are detected', () => {
    // All three candidate values above all three stable: P = 1 / C(6,3) = 0.05.
    assert.ok(Math.abs(mannWhitneyGreater([4, 5, 6], [1, 2, 3], 0.05).pValue - 0.05) < 1e-12);
    assert.equal(mannWhitneyGreater([1, 2, 3], [4, 5, 6], 0.05).pValue, 1);
    const stable = Array.from({ length: 10 }, (_, i) => 100 + i);
    assert.equal(
      mannWhitneyGreater(
        stable.map((v) => v * 1.5),
        stable,
        0.001,
      ).isRejected,
      true,
    );
    assert.equal(mannWhitneyGreater(stable, stable, 0.05).isRejected, false);
  });

  test('the window α spending sums to at most α however many windows a bake has', () => {
    const spent = Array.from({ length: 10_000 }, (_, k) => windowAlpha(0.01, k)).reduce((a, b) => a + b, 0);
    assert.ok(spent <= 0.01 && spent > 0.0099);
  });
});

describe('the sequential judge', () => {
  test('says it is waiting for CloudWatch, with the end of the newest datapoint, when the candidate has none yet', () => {
    const verdict = judgeSequential({
      config,
      alarms: [],
      candidate: [],
      stable: minutes(2, { invocations: 2700, errors: 10 }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'inconclusive');
    assert.equal(verdict.message, 'waiting for CloudWatch (data up to 12:02:00)');
    const empty = judgeSequential({
      config,
      alarms: [],
      candidate: [],
      stable: [],
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(empty.status, 'inconclusive');
    assert.equal(empty.message, 'waiting for CloudWatch (data up to 12:00:00)');
  });

  test('an alarm still fails while CloudWatch has not published the metrics', () => {
    const verdict = judgeSequential({
      config: { ...config, alarms: ['errors'] },
      alarms: [{ name: 'errors', state: 'ALARM', wasAlarmingBefore: false }],
      candidate: [],
      stable: [],
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'fail');
  });

  test('counts only published invocations towards minInvocations', () => {
    const verdict = judgeSequential({
      config,
      alarms: [],
      candidate: minutes(1, { invocations: 20, errors: 0 }),
      stable: minutes(1, { invocations: 200, errors: 0 }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'inconclusive');
    assert.match(verdict.message, /20 invocations of the candidate published \(data up to 12:01:00\)/);
  });

  test('rolls back a candidate with 5× the stable error rate, naming the test', () => {
    const verdict = judgeSequential({
      config,
      alarms: [],
      candidate: minutes(5, { invocations: 300, errors: 8 }),
      stable: minutes(5, { invocations: 2700, errors: 14 }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.message, /error rate vs stable ×1\.2: 2\.67% \(40\/1500\)/);
    assert.match(verdict.message, /always-valid p=/);
  });

  test('never rolls back a regression inside the tolerance, however much traffic proves it', () => {
    // 0.11% against 0.10% over a million invocations each: real, and too small to matter.
    const verdict = judgeSequential({
      config,
      alarms: [],
      candidate: minutes(60, { invocations: 20_000, errors: 22 }),
      stable: minutes(60, { invocations: 20_000, errors: 20 }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'pass');
  });

  test('the absolute floor keeps a large ratio on a tiny rate from rolling back', () => {
    // 0.02% against 0.01%: twice the rate, 0.01 percentage point more, under the default 0.1 point floor.
    const verdict = judgeSequential({
      config,
      alarms: [],
      candidate: minutes(60, { invocations: 100_000, errors: 20 }),
      stable: minutes(60, { invocations: 100_000, errors: 10 }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'pass');
    const strict = judgeSequential({
      config: {
        ...config,
        metrics: {
          ...(config.metrics as NonNullable<HealthConfig['metrics']>),
          tolerance: { ratioToStable: 1.2, minRateIncrease: 0 },
        },
      },
      alarms: [],
      candidate: minutes(60, { invocations: 100_000, errors: 20 }),
      stable: minutes(60, { invocations: 100_000, errors: 10 }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(strict.status, 'fail');
  });

  test('judges p99 on complete windows only, and fails a +50% p99 once its window closes', () => {
    const slow = (count: number) =>
      judgeSequential({
        config,
        alarms: [],
        candidate: minutes(count, { invocations: 300, errors: 0, p99Ms: (i) => 150 + (i % 3) }),
        stable: minutes(count, { invocations: 2700, errors: 0, p99Ms: (i) => 100 + (i % 4) }),
        trafficMovedAtMs: shiftMs,
      });
    assert.equal(slow(10).status, 'pass');
    assert.match(
      slow(10).checks?.find((c) => c.name.startsWith('p99'))?.measured ?? '',
      /no complete 10-minute window/,
    );
    const verdict = slow(11);
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.message, /p99 duration ≤ 1\.2 × stable/);
  });

  test('a p99 within the tolerance passes', () => {
    const verdict = judgeSequential({
      config,
      alarms: [],
      candidate: minutes(31, { invocations: 300, errors: 0, p99Ms: (i) => 110 + (i % 5) }),
      stable: minutes(31, { invocations: 2700, errors: 0, p99Ms: (i) => 100 + (i % 4) }),
      trafficMovedAtMs: shiftMs,
    });
    assert.equal(verdict.status, 'pass');
  });
});

describe('the health spec', () => {
  test('states the default tolerance, and old specs still parse unchanged', async () => {
    const { healthSpecSchema, healthConfigOf } = await import('../../src/domain/health-spec.ts');
    const spec = healthSpecSchema.parse({ metrics: { errorRate: { max: 0.01 } } });
    assert.deepEqual(spec.metrics?.tolerance, { ratioToStable: 1.2, minRateIncrease: 0.001 });
    assert.equal(spec.metrics?.latencyWindowMinutes, 10);
    assert.deepEqual(healthConfigOf(spec).metrics?.errorRate, { max: 0.01 });
    const custom = healthSpecSchema.parse({ metrics: { tolerance: { ratioToStable: 1.5 } } });
    assert.deepEqual(custom.metrics?.tolerance, { ratioToStable: 1.5, minRateIncrease: 0.001 });
  });
});
