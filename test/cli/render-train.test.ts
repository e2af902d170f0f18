import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTrain, renderTrainChanges } from '../../src/cli/render-train.ts';
import { initialTrainStatus } from '../../src/domain/train-state.ts';

const input = {
  name: 'orders 3.1.0',
  onFailure: 'rollback-train' as const,
  waves: [
    {
      name: 'canary',
      requiresApproval: false,
      targets: [{ functionShortName: 'orders-api', alias: 'live', region: 'us-east-1' } as never],
    },
    {
      name: 'rest',
      requiresApproval: true,
      maxParallel: 10,
      targets: [{ functionShortName: 'orders-worker', alias: 'live', region: 'eu-west-1' } as never],
    },
  ],
};

test('following a train prints one line per change: the phase, a wave, a target', () => {
  const before = initialTrainStatus('train-1', input, '2026-11-28T10:00:00.000Z');
  const after = structuredClone(before);
  after.phase = 'running';
  after.waves[0] = { ...after.waves[0]!, state: 'running' };
  after.waves[0].targets[0] = { ...after.waves[0].targets[0]!, phase: 'baking', candidateWeightPercent: 10 };
  assert.deepEqual(renderTrainChanges(before, after), [
    'train running',
    'wave 1 canary: running',
    '  orders-api:live (us-east-1): baking, 10% on the candidate',
  ]);
  assert.deepEqual(renderTrainChanges(after, after), []);
});

test('the status block shows each wave with its gate and limit, and each target with its state', () => {
  const status = initialTrainStatus('train-1', input, '2026-11-28T10:00:00.000Z');
  status.waves[0]!.targets[0]!.outcome = 'rolled_back';
  status.waves[0]!.targets[0]!.message = 'version 8 → 7';
  const text = renderTrain(status);
  assert.match(text, /wave 2 rest: pending, 10 at once, approval/);
  assert.match(text, /orders-api:live \(us-east-1\)\s+rolled_back: version 8 → 7/);
});
