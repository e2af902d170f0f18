import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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
