import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { releaseWarnings } from '../../src/domain/health-checks.ts';
import { plannedWeightsPercent, planOf } from '../../src/domain/release-plan.ts';
import { predefinedStrategies } from '../../src/domain/strategies.ts';

describe('the release plan', () => {
  test('is a copy: editing a predefined strategy later does not change a plan already made', () => {
    const plan = planOf('Canary10Percent5Minutes');
    const original = predefinedStrategies.Canary10Percent5Minutes?.[0];
    assert.ok(original);
    const saved = original.weightPercent;
    try {
      original.weightPercent = 33;
      assert.equal(plan.steps[0]?.weightPercent, 10);
    } finally {
      original.weightPercent = saved;
    }
  });

  test('records whether the promotion waits for an approval, and the weights it may set', () => {
    const plan = planOf({
      steps: [
        { weight: 20, bake: '1m' },
        { weight: 100, approval: true },
      ],
    });
    assert.deepEqual(plan, {
      steps: [{ weightPercent: 20, bakeMs: 60_000, requiresApproval: false }],
      promotionRequiresApproval: true,
    });
    assert.deepEqual(plannedWeightsPercent(plan), [20, 100]);
  });

  test('an unknown strategy throws a RangeError the workflow turns into a failure', () => {
    assert.throws(() => planOf('NoSuchStrategy'), RangeError);
  });
});

describe('warnings before a release starts', () => {
  const alarms = { intervalMs: 1000, alarms: ['errors'], preexistingAlarms: 'ignore' as const };
  test('steps that move traffic with no alarm or metric watching them are warned about', () => {
    const canary = planOf('Canary10Percent5Minutes');
    assert.match(releaseWarnings(canary, undefined)[0] ?? '', /no health checks/);
    assert.match(
      releaseWarnings(canary, {
        intervalMs: 1000,
        alarms: [],
        preexistingAlarms: 'ignore',
        hooks: { timeoutMs: 1000, afterTraffic: { http: 'http://127.0.0.1/h' } },
      })[0] ?? '',
      /no health checks/,
    );
    assert.deepEqual(releaseWarnings(canary, alarms), []);
  });

  test('all at once has no bake to watch, so nothing to warn about', () => {
    assert.deepEqual(releaseWarnings(planOf('AllAtOnce'), undefined), []);
  });
});
