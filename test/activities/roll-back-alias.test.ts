import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStateRampCouldProduce, type RollBackInput } from '../../src/activities/set-alias.ts';

const input: RollBackInput = {
  functionName: 'fn',
  region: 'us-east-1',
  alias: 'live',
  stableVersion: '3',
  candidateVersion: '4',
  plannedWeightsPercent: [10, 50, 100],
  knownRevisionIds: [],
};
const alias = (functionVersion: string, weights: Record<string, number> = {}) => ({
  functionVersion,
  additionalVersionWeights: weights,
  revisionId: 'unknown-revision',
});

describe("recognising the release's own alias states (a write whose answer was lost)", () => {
  test('stable with the candidate at a planned weight, and the candidate alone, are states Ramp could leave', () => {
    assert.equal(isStateRampCouldProduce(alias('3', { '4': 0.1 }), input), true);
    assert.equal(isStateRampCouldProduce(alias('3', { '4': 0.5 }), input), true);
    assert.equal(isStateRampCouldProduce(alias('4'), input), true);
    assert.equal(isStateRampCouldProduce(alias('3'), input), true);
  });

  test('a weight the plan never sets, another version, or the candidate with routing are someone else’s', () => {
    assert.equal(isStateRampCouldProduce(alias('3', { '4': 0.33 }), input), false);
    assert.equal(isStateRampCouldProduce(alias('3', { '5': 0.1 }), input), false);
    assert.equal(isStateRampCouldProduce(alias('5'), input), false);
    assert.equal(isStateRampCouldProduce(alias('4', { '3': 0.1 }), input), false);
  });
});
