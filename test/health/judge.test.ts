import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HealthConfig } from '../../src/domain/health-spec.ts';
import { judge, type VersionMetrics } from '../../src/health/judge.ts';
import { rateAboveLimit, rateAboveStable } from '../../src/health/statistics.ts';

const metrics = (invocations: number, errors: number, p99Ms: number | null = 50): VersionMetrics => ({
  invocations,
  errors,
  throttles: 0,
  p50Ms: p99Ms === null ? null : p99Ms / 2,
  p99Ms,
});

const config: HealthConfig = {
  intervalMs: 5000,
  alarms: [],
  preexistingAlarms: 'ignore',
  metrics: {
    minInvocations: 50,
    confidence: 0.99,
    insufficientTraffic: 'wait',
    errorRate: { max: 0.01 },
    p99Duration: { maxRatioToStable: 1.2 },
  },
};

describe('statistics', () => {
  test('a lucky handful of errors in a small sample is not significant, a real excess over many is', () => {
    assert.equal(rateAboveLimit(2, 100, 0.01, 0.99).isSignificant, false);
    assert.equal(rateAboveLimit(40, 1000, 0.01, 0.99).isSignificant, true);
  });

  test('a small but real regression against stable is caught with enough traffic', () => {
    const stable = { failures: 100, trials: 100_000 };
    assert.equal(rateAboveStable({ failures: 3, trials: 1000 }, stable, 1, 0.99).isSignificant, false);
    assert.equal(rateAboveStable({ failures: 60, trials: 20_000 }, stable, 1, 0.99).isSignificant, true);
  });
});

describe('judging a bake', () => {
  test('fails a candidate whose error rate is significantly above the ceiling, naming what was measured', () => {
    const verdict = judge({ config, alarms: [], candidate: metrics(500, 100), stable: metrics(5000, 5) });
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.message, /error rate ≤ 1\.00%: 20\.00% \(100\/500\)/);
  });

  test('fails a candidate whose p99 is over 1.2 × stable', () => {
    const verdict = judge({
      config,
      alarms: [],
      candidate: metrics(500, 0, 130),
      stable: metrics(5000, 0, 100),
    });
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.message, /p99 duration/);
  });

  test('passes a healthy candidate, and a tiny blip below significance', () => {
    assert.equal(
      judge({ config, alarms: [], candidate: metrics(500, 0), stable: metrics(5000, 2) }).status,
      'pass',
    );
    assert.equal(
      judge({ config, alarms: [], candidate: metrics(300, 4), stable: metrics(3000, 30) }).status,
      'pass',
    );
  });

  test('calls too little traffic inconclusive rather than judging noise', () => {
    const verdict = judge({ config, alarms: [], candidate: metrics(10, 5), stable: metrics(5000, 0) });
    assert.equal(verdict.status, 'inconclusive');
    assert.match(verdict.message, /10 invocations/);
  });

  test('an alarm that went into ALARM after the shift fails; one already alarming before is reported and ignored', () => {
    const alarmConfig = { ...config, alarms: ['a', 'b'] };
    const alarms = [
      { name: 'incident', state: 'ALARM', wasAlarmingBefore: true },
      { name: 'payments-errors', state: 'ALARM', wasAlarmingBefore: false },
    ];
    const verdict = judge({
      config: alarmConfig,
      alarms,
      candidate: metrics(500, 0),
      stable: metrics(5000, 0),
    });
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.message, /payments-errors/);
    assert.doesNotMatch(verdict.message, /incident/);
    assert.match(
      verdict.checks?.find((c) => c.name === 'alarm incident')?.against ?? '',
      /ignored by policy/,
    );
  });
});
