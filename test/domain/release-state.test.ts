import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { controlProblem, initialStatus, outcomeForFailure } from '../../src/domain/release-state.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';

function status(overrides: Partial<ReleaseStatus> = {}): ReleaseStatus {
  return {
    ...initialStatus({
      releaseId: 'us-east-1.fn.live.00000000-0000-0000-0000-000000000000',
      functionName: 'fn',
      alias: 'live',
      region: 'us-east-1',
      stepCount: 1,
      startedAt: '2026-11-24T00:00:00.000Z',
    }),
    ...overrides,
  };
}

describe('control requests', () => {
  test('approve is refused unless the release waits for an approval', () => {
    assert.match(controlProblem(status({ phase: 'baking' }), 'approve') ?? '', /not waiting for an approval/);
    assert.equal(
      controlProblem(status({ phase: 'awaiting_approval', awaitingApproval: true }), 'approve'),
      undefined,
    );
  });

  test('resume needs a paused release, and pause refuses a paused one', () => {
    assert.match(controlProblem(status(), 'resume') ?? '', /not paused/);
    assert.match(controlProblem(status({ isPaused: true }), 'pause') ?? '', /already paused/);
  });

  test('nothing is allowed once the release rolls back or has ended', () => {
    assert.match(controlProblem(status({ phase: 'rolling_back' }), 'abort') ?? '', /rolling back/);
    assert.match(
      controlProblem(status({ phase: 'completed', outcome: 'succeeded' }), 'pause') ?? '',
      /already ended/,
    );
  });
});

describe('outcomes', () => {
  test('an abort, an unhealthy verdict and a missed approval all end rolled back', () => {
    for (const type of ['Aborted', 'Unhealthy', 'ApprovalTimedOut'])
      assert.equal(outcomeForFailure(type, false), 'rolled_back');
  });

  test('a conflict ends as conflict, a failed update as failed, a failed rollback needs attention', () => {
    assert.equal(outcomeForFailure('Conflict', false), 'conflict');
    assert.equal(outcomeForFailure('UpdateFailed', false), 'failed');
    assert.equal(outcomeForFailure('NeedsAttention', false), 'needs_attention');
    assert.equal(outcomeForFailure('Transient', true), 'rolled_back');
  });
});

describe('control requests that contradict an earlier decision', () => {
  const baking = () => status({ phase: 'baking' });

  test('a second abort is refused and names the first one', () => {
    const problem = controlProblem(baking(), 'abort', { abort: { by: 'alice', reason: 'errors' } });
    assert.match(problem ?? '', /already aborted by alice: errors/);
  });

  test('promote, approve, pause and resume after an abort are refused', () => {
    for (const action of ['promote', 'approve', 'pause', 'resume'] as const) {
      assert.match(controlProblem(baking(), action, { abort: { by: 'alice' } }) ?? '', /already aborted/);
    }
  });

  test('after a full promotion only abort is allowed, so stopping is always possible', () => {
    const decisions = { promote: { by: 'bob', full: true } };
    assert.match(
      controlProblem(baking(), 'pause', decisions) ?? '',
      /full promotion was already requested by bob/,
    );
    assert.match(controlProblem(baking(), 'promote', decisions) ?? '', /full promotion/);
    assert.equal(controlProblem(baking(), 'abort', decisions), undefined);
  });

  test('a second promotion to the next step is refused until the first is carried out', () => {
    assert.match(
      controlProblem(baking(), 'promote', { promote: { by: 'bob' } }) ?? '',
      /promotion to the next step was already requested by bob/,
    );
  });
});
