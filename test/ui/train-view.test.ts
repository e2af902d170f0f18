import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReleaseInput } from '../../src/domain/release-input.ts';
import type { TrainInput } from '../../src/domain/train-input.ts';
import {
  initialTrainStatus,
  trainControlActions,
  trainControlProblem,
} from '../../src/domain/train-state.ts';
import type { TrainStatus, TrainSummary } from '../../src/domain/train-status.ts';
import {
  trainControlsFor,
  trainMatches,
  trainRequestedBy,
  trainStateProblem,
  waveProgress,
} from '../../src/ui/train-view.js';

const t0 = '2026-11-28T09:00:00.000Z';
const target = (fn: string, region = 'us-east-1') =>
  ({ functionShortName: fn, alias: 'live', region }) as unknown as ReleaseInput;
const input: TrainInput = {
  name: 'orders 3.1.0',
  onFailure: 'rollback-train',
  requestedBy: 'ops-admin',
  waves: [
    { name: 'canary', requiresApproval: false, targets: [target('orders-api')] },
    {
      name: 'rest',
      requiresApproval: true,
      maxParallel: 2,
      targets: [target('orders-api', 'eu-west-1'), target('orders-worker')],
    },
  ],
};

function trainWith(overrides: Partial<TrainStatus> = {}): TrainStatus {
  return { ...initialTrainStatus('train-0123456789abcdef', input, t0), ...overrides };
}

const admin = {
  name: 'ops-admin',
  scopes: ['admin'],
  functions: ['*'],
  may: { read: true, release: true, operate: true },
  isOpen: false,
};

describe('what the dashboard shows of a train', () => {
  test('a train control is refused for the same states, with the same words, as the train’s update validator', () => {
    const states: Partial<TrainStatus>[] = [
      { phase: 'starting' },
      { phase: 'running' },
      { phase: 'paused', isPaused: true },
      { phase: 'awaiting_approval', awaitingApproval: true },
      { phase: 'rolling_back' },
      { phase: 'completed', outcome: 'succeeded' },
      { phase: 'completed', outcome: 'stopped' },
    ];
    for (const state of states) {
      const status = trainWith(state);
      for (const action of trainControlActions)
        assert.equal(
          trainStateProblem(status, action),
          trainControlProblem(status, action, undefined),
          `${action} in ${JSON.stringify(state)}`,
        );
    }
    const aborted = trainWith({ phase: 'running' });
    aborted.timeline.push({ at: t0, event: 'abort', message: 'abort requested by ops-admin: bad p99' });
    for (const action of trainControlActions)
      assert.equal(
        trainStateProblem(aborted, action),
        trainControlProblem(aborted, action, { by: 'ops-admin', reason: 'bad p99' }),
      );
  });

  test('a token must cover every target to operate a train; a read-only one sees why', () => {
    const status = trainWith({ phase: 'awaiting_approval', awaitingApproval: true });
    assert.deepEqual(
      trainControlsFor(status, admin).map((c) => [c.action, c.isEnabled]),
      [
        ['pause', true],
        ['resume', false],
        ['approve', true],
        ['abort', true],
      ],
    );
    const viewer = { ...admin, name: 'viewer', may: { read: true, release: false, operate: false } };
    for (const control of trainControlsFor(status, viewer))
      assert.equal(control.reason, 'your token "viewer" lacks the "operate" scope');
    const scoped = { ...admin, name: 'api-oncall', functions: ['orders-api'] };
    assert.equal(
      trainControlsFor(status, scoped)[0]?.reason,
      'your token "api-oncall" may act on functions orders-api, not orders-worker; a train needs a token that covers every target',
    );
  });

  test('wave progress, who asked (its own field, else the started entry of older trains)', () => {
    const status = trainWith({ waveIndex: 1 });
    const [first] = status.waves;
    if (first?.targets[0]) first.targets[0].outcome = 'succeeded';
    assert.equal(waveProgress(status).label, 'wave 2 of 2 · 1 of 3 targets ended');
    assert.equal(trainRequestedBy(status), 'ops-admin');
    const older = trainWith({ requestedBy: undefined });
    older.timeline.push({
      at: t0,
      event: 'started',
      message: 'train orders 3.1.0: 3 targets in 2 waves, on failure rollback-train, requested by ci-bot',
    });
    assert.equal(trainRequestedBy(older), 'ci-bot');
  });

  test('the list’s filters apply to trains: running, outcome, and a function any target releases', () => {
    const summary: TrainSummary = {
      id: 'train-0123456789abcdef',
      name: 'orders 3.1.0',
      phase: 'running',
      outcome: null,
      isRunning: true,
      startedAt: t0,
      endedAt: null,
    };
    const status = trainWith();
    assert.equal(trainMatches({}, summary, undefined), true);
    assert.equal(trainMatches({ running: 'true' }, summary, status), true);
    assert.equal(trainMatches({ running: 'false' }, summary, status), false);
    assert.equal(trainMatches({ outcome: 'succeeded' }, summary, status), false);
    assert.equal(trainMatches({ function: 'orders-worker' }, summary, status), true);
    assert.equal(
      trainMatches(
        { function: 'arn:aws:lambda:us-east-1:123456789012:function:orders-worker' },
        summary,
        status,
      ),
      true,
    );
    assert.equal(trainMatches({ function: 'payments' }, summary, status), false);
    assert.equal(trainMatches({ function: 'orders-worker' }, summary, undefined), false, 'not until known');
  });
});
