import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureType } from '../../src/domain/failure-types.ts';
import { type EndingFacts, outcomeAfterRollback, planEnding } from '../../src/domain/release-ending.ts';
import { releaseOutcomes } from '../../src/domain/release-status.ts';

const facts = (overrides: Partial<EndingFacts>): EndingFacts => ({
  failureType: FailureType.Unhealthy,
  mayHaveMovedTraffic: true,
  hasStableVersion: true,
  ...overrides,
});

describe('how a failed release ends', () => {
  test('rolls back whenever traffic may have moved and the alias is still its own', () => {
    for (const failureType of [
      FailureType.Unhealthy,
      FailureType.Aborted,
      FailureType.ApprovalTimedOut,
      FailureType.PauseTimedOut,
      FailureType.Transient,
      FailureType.Throttled,
      FailureType.AccessDenied,
      FailureType.InvalidRequest,
      FailureType.Conflict, // a function guard, not the alias's
    ]) {
      assert.deepEqual(planEnding(facts({ failureType, guard: 'functionRevisionId' })), {
        action: 'roll_back',
      });
    }
  });

  test('never writes over someone else’s alias change: a conflict on the alias ends as conflict', () => {
    for (const ending of [
      planEnding(facts({ failureType: FailureType.Conflict, guard: 'aliasRevisionId' })),
      planEnding(facts({ failureType: FailureType.AliasChangedOutside })),
      planEnding(facts({ failureType: FailureType.AliasChangedOutside, mayHaveMovedTraffic: false })),
    ]) {
      assert.deepEqual(ending, { action: 'end', outcome: 'conflict', reason: 'alias_taken' });
    }
  });

  test('with no traffic moved, nothing is written and the outcome follows the failure', () => {
    const nothing = (failureType: string, guard?: string) =>
      planEnding(facts({ failureType, guard, mayHaveMovedTraffic: false }));
    assert.deepEqual(nothing(FailureType.Aborted), {
      action: 'end',
      outcome: 'rolled_back',
      reason: 'nothing_moved',
    });
    assert.deepEqual(nothing(FailureType.Conflict, 'functionRevisionId'), {
      action: 'end',
      outcome: 'conflict',
      reason: 'nothing_moved',
    });
    assert.deepEqual(nothing(FailureType.UpdateFailed), {
      action: 'end',
      outcome: 'failed',
      reason: 'nothing_moved',
    });
    assert.deepEqual(nothing(FailureType.Transient), {
      action: 'end',
      outcome: 'failed',
      reason: 'nothing_moved',
    });
  });

  test('a preflight rejection ends as rejected, whatever else is said', () => {
    for (const mayHaveMovedTraffic of [false, true]) {
      assert.deepEqual(planEnding(facts({ failureType: FailureType.Rejected, mayHaveMovedTraffic })), {
        action: 'end',
        outcome: 'rejected',
        reason: 'nothing_moved',
      });
    }
  });

  test('a first release that moved traffic has nothing to return to: needs attention', () => {
    assert.deepEqual(planEnding(facts({ hasStableVersion: false })), {
      action: 'end',
      outcome: 'needs_attention',
      reason: 'no_stable_version',
    });
  });

  test('after a rollback: rolled_back when it completed, needs_attention when it did not', () => {
    assert.equal(outcomeAfterRollback(FailureType.Unhealthy, true), 'rolled_back');
    assert.equal(outcomeAfterRollback(FailureType.Transient, true), 'rolled_back');
    assert.equal(outcomeAfterRollback(FailureType.Unhealthy, false), 'needs_attention');
  });

  test('every combination of facts gives exactly one known outcome or a rollback', () => {
    const types = Object.values(FailureType);
    for (const failureType of types)
      for (const guard of [undefined, 'aliasRevisionId', 'functionRevisionId', 'codeSha256'])
        for (const mayHaveMovedTraffic of [false, true])
          for (const hasStableVersion of [false, true]) {
            const ending = planEnding({ failureType, guard, mayHaveMovedTraffic, hasStableVersion });
            if (ending.action === 'end') {
              assert.ok(releaseOutcomes.includes(ending.outcome));
              assert.notEqual(ending.outcome, 'succeeded');
              // I1: an ending that leaves traffic moved without a rollback is only ever one a person must see.
              if (
                mayHaveMovedTraffic &&
                ending.reason !== 'alias_taken' &&
                failureType !== FailureType.Rejected
              )
                assert.equal(ending.outcome, 'needs_attention');
            } else {
              assert.ok(mayHaveMovedTraffic && hasStableVersion);
            }
          }
  });
});
