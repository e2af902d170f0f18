import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderList, renderStatus } from '../../src/cli/render-status.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';

const status: ReleaseStatus = {
  releaseId: 'us-east-1.orders.live.run-1',
  functionName: 'orders',
  alias: 'live',
  region: 'us-east-1',
  phase: 'baking',
  outcome: null,
  isPaused: false,
  stableVersion: '7',
  candidateVersion: '8',
  candidateWeightPercent: 25,
  stepIndex: 1,
  stepCount: 3,
  bakeEndsAt: '2026-11-28T10:05:30.000Z',
  awaitingApproval: false,
  startedAt: '2026-11-28T09:58:00.000Z',
  endedAt: null,
  timeline: [
    {
      at: '2026-11-28T09:59:00.000Z',
      event: 'weight_set',
      message: 'v8 takes 5%',
      details: { weightPercent: 5 },
    },
    {
      at: '2026-11-28T10:00:00.000Z',
      event: 'health_verdict',
      message: 'pass after 6 checks: healthy',
      details: {
        verdict: {
          status: 'pass',
          checks: [{ name: 'errorRate', status: 'pass', measured: '0.2% (3/1500)', against: 'max 1%' }],
        },
      },
    },
    {
      at: '2026-11-28T10:00:30.000Z',
      event: 'weight_set',
      message: 'v8 takes 25%',
      details: { weightPercent: 25 },
    },
  ],
  lastError: null,
};

test('the status shows the steps with the current one marked, weight, bake left, versions and the verdict’s figures', () => {
  const text = renderStatus(status, new Date('2026-11-28T10:03:00.000Z'));
  assert.match(text, /^steps\s+✓ 1 5%\s+▶ 2 25%\s+○ 3$/m);
  assert.match(text, /^weight\s+25% on the candidate$/m);
  assert.match(text, /^bake\s+2m30s left \(until 2026-11-28 10:05:30Z\)$/m);
  assert.match(text, /^stable\s+7$/m);
  assert.match(text, /^candidate\s+8$/m);
  assert.match(text, /^verdict\s+pass after 6 checks: healthy/m);
  assert.match(text, /pass\s+errorRate: measured 0\.2% \(3\/1500\), against max 1%/);
});

test('while a monitor watches, the status shows its latest check, e.g. that it waits for CloudWatch', () => {
  const watched: ReleaseStatus = {
    ...status,
    currentVerdict: {
      status: 'inconclusive',
      message: 'waiting for CloudWatch (data up to 10:01:00)',
      checks: [
        { name: 'metrics', status: 'inconclusive', measured: 'waiting for CloudWatch (data up to 10:01:00)' },
      ],
      checksRun: 4,
      at: '2026-11-28T10:02:10.000Z',
    },
  };
  const text = renderStatus(watched, new Date('2026-11-28T10:03:00.000Z'));
  assert.match(
    text,
    /^verdict\s+inconclusive: waiting for CloudWatch \(data up to 10:01:00\)\s+\(check 4 of this wait, 2026-11-28 10:02:10Z\)$/m,
  );
  assert.doesNotMatch(text, /pass after 6 checks/);
  // A verdict the timeline recorded after the monitor's last report is the newer one.
  const older = {
    ...watched,
    currentVerdict: { ...watched.currentVerdict!, at: '2026-11-28T09:59:59.000Z' },
  };
  assert.match(renderStatus(older, new Date('2026-11-28T10:03:00.000Z')), /^verdict\s+pass after 6 checks/m);
});

test('the list has started, ended, versions, description and outcome columns', () => {
  const text = renderList([
    {
      releaseId: 'us-east-1.orders.live.run-1',
      functionName: 'orders',
      alias: 'live',
      region: 'us-east-1',
      phase: 'completed',
      outcome: 'succeeded',
      isRunning: false,
      description: 'v2.3.1 (abc123)',
      startedAt: '2026-11-28T09:58:00.000Z',
      endedAt: '2026-11-28T10:08:00.000Z',
      stableVersion: '7',
      candidateVersion: '8',
    },
  ]);
  const [header, row] = text.split('\n');
  assert.match(header ?? '', /^RELEASE\s+STARTED\s+ENDED\s+VERSIONS\s+DESCRIPTION\s+OUTCOME$/);
  assert.match(
    row ?? '',
    /2026-11-28 09:58:00Z\s+2026-11-28 10:08:00Z\s+7 → 8\s+v2\.3\.1 \(abc123\)\s+succeeded$/,
  );
});
