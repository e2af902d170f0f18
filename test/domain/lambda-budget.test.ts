import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  budgetsOfAccount,
  lambdaBudgetQueue,
  parseLambdaBudgets,
  temporalRateForBudget,
} from '../../src/domain/lambda-budget.ts';

test('budgets name regions, optionally a rate and an account; a bare region takes the default rate', () => {
  assert.deepEqual(parseLambdaBudgets('us-east-1, eu-west-1=5,222222222222:us-east-1=3', 7.5), {
    ok: true,
    budgets: [
      { region: 'us-east-1', account: undefined, perSecond: 7.5 },
      { region: 'eu-west-1', account: undefined, perSecond: 5 },
      { region: 'us-east-1', account: '222222222222', perSecond: 3 },
    ],
  });
  assert.equal(parseLambdaBudgets('us-east-1=fast', 7.5).ok, false);
  assert.equal(parseLambdaBudgets('us-east-1=0', 7.5).ok, false);
});

test("a worker takes its own account's entries over unscoped ones, and ignores other accounts'", () => {
  const parsed = parseLambdaBudgets(
    'us-east-1,eu-west-1=5,222222222222:us-east-1=3,333333333333:ap-south-1',
    7.5,
  );
  assert.ok(parsed.ok);
  assert.deepEqual(budgetsOfAccount(parsed.budgets, '222222222222'), [
    { region: 'us-east-1', account: '222222222222', perSecond: 3 },
    { region: 'eu-west-1', account: '222222222222', perSecond: 5 },
  ]);
  assert.deepEqual(
    budgetsOfAccount(parsed.budgets, '123456789012').map((budget) => [budget.region, budget.perSecond]),
    [
      ['us-east-1', 7.5],
      ['eu-west-1', 5],
    ],
  );
});

test("each deployment's queue, account and region has a budgeted queue of its own", () => {
  assert.equal(
    lambdaBudgetQueue('ramp-releases', '123456789012', 'us-east-1'),
    'ramp-releases/lambda/123456789012/us-east-1',
  );
});

test("Temporal's rate leaves room for its full bucket: the worst 1-s window stays within the budget", () => {
  assert.equal(temporalRateForBudget(7.5), 3);
  assert.equal(temporalRateForBudget(15), 7);
  assert.equal(temporalRateForBudget(6), 2);
  for (const budget of [3, 5, 6, 7.5, 10, 15, 30]) {
    const rate = temporalRateForBudget(budget);
    assert.ok(2 * Math.max(1, Math.ceil(rate)) + 1 <= budget, `budget ${budget}: rate ${rate}`);
  }
  // Below the bucket's minimum burst no rate is a strict ceiling: half the budget, on average.
  assert.equal(temporalRateForBudget(2), 1);
});
