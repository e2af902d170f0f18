import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AliasState, checkRelease, type ReleaseRecord } from './invariants.ts';

let clock = 0;
const state = (
  functionVersion: string,
  weights: Record<string, number> = {},
  revisionId?: string,
): AliasState => ({
  functionVersion,
  additionalVersionWeights: weights,
  revisionId: revisionId ?? `rev-${++clock}`,
  at: clock,
});

/** A canary 10 % → 50 % release of version 2 over stable 1 that went as planned. */
function cleanRelease(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    releaseId: 'release-1',
    functionName: 'f',
    alias: 'live',
    stableVersion: '1',
    candidateVersion: '2',
    planWeightsPercent: [10, 50],
    outcomes: ['succeeded'],
    aliasHistory: [state('1'), state('1', { '2': 0.1 }), state('1', { '2': 0.5 }), state('2')],
    latestCodeSha256: 'sha-2',
    newVersions: [{ version: '2', codeSha256: 'sha-2' }],
    outsideChanges: [],
    ...overrides,
  };
}

const invariantsOf = (record: ReleaseRecord) => checkRelease(record).map((breach) => breach.invariant);

test('a release that went as planned breaches nothing', () => {
  assert.deepEqual(checkRelease(cleanRelease()), []);
});

test('a rollback that ends on the stable version breaches nothing', () => {
  const record = cleanRelease({
    outcomes: ['rolled_back'],
    aliasHistory: [state('1'), state('1', { '2': 0.1 }), state('1')],
  });
  assert.deepEqual(checkRelease(record), []);
});

test('a first release that creates the alias at the candidate breaches nothing', () => {
  const record = cleanRelease({ stableVersion: null, candidateVersion: '1', aliasHistory: [state('1')] });
  record.newVersions = [{ version: '1', codeSha256: 'sha-1' }];
  assert.deepEqual(checkRelease(record), []);
});

test('I1: a weight that is not in the plan is a breach, even when the alias ends well', () => {
  const record = cleanRelease({
    aliasHistory: [state('1'), state('1', { '2': 0.1 }), state('1', { '2': 0.3 }), state('2')],
  });
  assert.deepEqual(invariantsOf(record), ['I1']);
  assert.match(checkRelease(record)[0]?.message ?? '', /30 % is not in the plan/);
});

test('I1: an alias on a third version is a breach', () => {
  const record = cleanRelease({ aliasHistory: [state('1'), state('3'), state('2')] });
  assert.deepEqual(invariantsOf(record), ['I1']);
});

test('I1: a split the other way round (candidate + stable) is a breach', () => {
  const record = cleanRelease({ aliasHistory: [state('1'), state('2', { '1': 0.9 }), state('2')] });
  assert.deepEqual(invariantsOf(record), ['I1']);
});

test('I1 and I3: an alias left split when the release ended is a breach of both', () => {
  // Issue 10's reproduced hole: a lost UpdateAlias response, retries run out, the release says failed.
  const split = cleanRelease({ outcomes: ['failed'], aliasHistory: [state('1'), state('1', { '2': 0.1 })] });
  assert.deepEqual(invariantsOf(split), ['I1']);
  const rolledBackSplit = cleanRelease({
    outcomes: ['rolled_back'],
    aliasHistory: [state('1'), state('1', { '2': 0.1 })],
  });
  assert.deepEqual(invariantsOf(rolledBackSplit), ['I1', 'I3']);
});

test('I3: no outcome, or two outcomes, is a breach', () => {
  assert.deepEqual(invariantsOf(cleanRelease({ outcomes: [] })), ['I3']);
  assert.deepEqual(invariantsOf(cleanRelease({ outcomes: ['succeeded', 'rolled_back'] })), ['I3']);
});

test('I3: succeeded with the alias still on the stable version is a breach', () => {
  const record = cleanRelease({ aliasHistory: [state('1'), state('1', { '2': 0.1 }), state('1')] });
  assert.deepEqual(invariantsOf(record), ['I3']);
});

test('I3: rolled_back with the alias on the candidate is a breach', () => {
  const record = cleanRelease({ outcomes: ['rolled_back'] });
  assert.deepEqual(invariantsOf(record), ['I3']);
});

test('I4: two versions from one CodeSha256 is a breach', () => {
  const record = cleanRelease({
    newVersions: [
      { version: '2', codeSha256: 'sha-2' },
      { version: '3', codeSha256: 'sha-2' },
    ],
  });
  assert.deepEqual(invariantsOf(record), ['I4']);
  assert.match(checkRelease(record)[0]?.message ?? '', /versions 2, 3/);
});

test('I4: a conflict outcome with no outside change is a false conflict', () => {
  const record = cleanRelease({ outcomes: ['conflict'], aliasHistory: [state('1')], candidateVersion: null });
  assert.deepEqual(invariantsOf(record), ['I4']);
});

test('R5: a conflict that follows an outside alias change, left in place, breaches nothing', () => {
  const record = cleanRelease({
    outcomes: ['conflict'],
    aliasHistory: [state('1'), state('1', { '2': 0.1 }), state('1', {}, 'outside')],
    outsideChanges: [{ kind: 'alias', mark: 'outside', isSeenByRamp: true }],
  });
  assert.deepEqual(checkRelease(record), []);
});

test('R5: writing the alias after an outside change is a clobber', () => {
  const record = cleanRelease({
    outcomes: ['conflict'],
    aliasHistory: [state('1'), state('1', { '2': 0.1 }), state('1', {}, 'outside'), state('1', { '2': 0.5 })],
    outsideChanges: [{ kind: 'alias', mark: 'outside', isSeenByRamp: true }],
  });
  assert.deepEqual(invariantsOf(record), ['I1', 'R5']);
  assert.match(checkRelease(record)[1]?.message ?? '', /clobbered an outside alias change/);
});

test('R5: replacing an outside code change is a clobber', () => {
  const record = cleanRelease({
    outcomes: ['conflict'],
    aliasHistory: [state('1')],
    latestCodeSha256: 'sha-ramp',
    outsideChanges: [{ kind: 'code', mark: 'sha-outside', isSeenByRamp: true }],
  });
  assert.deepEqual(invariantsOf(record), ['R5']);
});

test('R5: succeeding over an outside change Ramp saw is a breach; one it never saw is not', () => {
  const seen = cleanRelease({
    latestCodeSha256: 'sha-outside',
    outsideChanges: [{ kind: 'code', mark: 'sha-outside', isSeenByRamp: true }],
  });
  assert.deepEqual(invariantsOf(seen), ['R5']);
  const unseen = cleanRelease({
    latestCodeSha256: 'sha-outside',
    outsideChanges: [{ kind: 'code', mark: 'sha-outside', isSeenByRamp: false }],
  });
  assert.deepEqual(checkRelease(unseen), []);
});
