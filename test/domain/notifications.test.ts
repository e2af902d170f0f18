import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { signatureOf } from '../../src/activities/deliver-notification.ts';
import {
  buildNotification,
  endingMessage,
  type Notification,
  notificationBody,
  notificationEventOfEntry,
  notificationEventOfOutcome,
  notificationOutboxWorkflowId,
  slackMessageOf,
  wantsEvent,
} from '../../src/domain/notifications.ts';
import { isPrivateHost, webhookProblem } from '../../src/domain/notify-spec.ts';
import { initialStatus } from '../../src/domain/release-state.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { slackMessageSchema } from '../helpers/block-kit.ts';

const releaseId = 'us-east-1.payments.live.0f8fad5b-d9cb-469f-a165-70867728950e';

function status(overrides: Partial<ReleaseStatus> = {}): ReleaseStatus {
  return {
    ...initialStatus({
      releaseId,
      functionName: 'payments',
      alias: 'live',
      region: 'us-east-1',
      stepCount: 2,
      startedAt: '2026-11-28T06:00:00.000Z',
    }),
    ...overrides,
  };
}

const at = '2026-11-28T06:01:00.000Z';
const unhealthy = {
  type: 'Unhealthy',
  isRetryable: false,
  message: 'unhealthy: error rate 12% is over 5%',
  details: {
    verdict: {
      status: 'fail',
      message: 'error rate 12% is over 5%',
      checksRun: 4,
      checks: [{ name: 'errorRate', status: 'fail', measured: '12% (24/200)', against: 'max 5%' }],
    },
  },
};

describe('which moments are events', () => {
  test('started, a weight set, a pause and an approval wait are events; other timeline entries are not', () => {
    const entry = (event: string) => ({ at, event, message: '' });
    assert.equal(notificationEventOfEntry(entry('started')), 'started');
    assert.equal(notificationEventOfEntry(entry('weight_set')), 'weight_changed');
    assert.equal(notificationEventOfEntry(entry('pause')), 'paused');
    assert.equal(notificationEventOfEntry(entry('awaiting_approval')), 'awaiting_approval');
    for (const other of ['code_updated', 'resume', 'health_verdict', 'rolled_back', 'toString', '__proto__'])
      assert.equal(notificationEventOfEntry(entry(other)), undefined, other);
  });

  test('each outcome is an ending event; a rejected release is `failed`', () => {
    assert.equal(notificationEventOfOutcome('succeeded'), 'succeeded');
    assert.equal(notificationEventOfOutcome('rolled_back'), 'rolled_back');
    assert.equal(notificationEventOfOutcome('conflict'), 'conflict');
    assert.equal(notificationEventOfOutcome('needs_attention'), 'needs_attention');
    assert.equal(notificationEventOfOutcome('rejected'), 'failed');
  });

  test('a target without `events` wants all of them; with a list, only those', () => {
    assert.ok(wantsEvent({ webhook: 'https://x', format: 'json' }, 'paused'));
    assert.ok(!wantsEvent({ webhook: 'https://x', format: 'json', events: ['rolled_back'] }, 'paused'));
  });
});

describe('the outbox', () => {
  test("is one workflow per release, named from the release id and apart from the alias's release workflows", () => {
    const id = notificationOutboxWorkflowId(releaseId);
    assert.equal(id, `notifications.${releaseId}`);
    assert.notEqual(id, notificationOutboxWorkflowId(releaseId.replace(/0f8fad5b/, '1f8fad5b')));
    assert.ok(!id.startsWith('release.'), 'never the id of a release workflow, which is per alias');
  });
});

describe('the JSON event', () => {
  test('carries a stable id, the release as it was, and links to the dashboard and the API', () => {
    const event = buildNotification({
      event: 'weight_changed',
      sequence: 3,
      at,
      message: 'version 7 takes 10% of live',
      status: status({
        phase: 'shifting',
        candidateWeightPercent: 10,
        stableVersion: '6',
        candidateVersion: '7',
      }),
      publicUrl: 'https://ramp.example.com/',
      requestedBy: 'ci',
    });
    assert.equal(event.id, `${releaseId}/3`);
    assert.equal(event.release.candidateWeightPercent, 10);
    assert.equal(event.release.step, 1);
    assert.equal(event.release.requestedBy, 'ci');
    assert.deepEqual(event.links, {
      dashboard: `https://ramp.example.com/ui/releases/${releaseId}`,
      api: `https://ramp.example.com/v1/releases/${releaseId}`,
    });
    assert.equal(event.verdict, undefined);
    assert.equal(event.error, undefined);
  });

  test('rolled_back carries the failing verdict with its figures, and the error', () => {
    const rolledBack = status({ outcome: 'rolled_back', phase: 'completed', lastError: unhealthy });
    const event = buildNotification({
      event: 'rolled_back',
      sequence: 5,
      at,
      message: endingMessage(rolledBack),
      status: rolledBack,
    });
    assert.equal(event.message, 'unhealthy: error rate 12% is over 5%');
    assert.deepEqual(event.verdict, {
      status: 'fail',
      message: 'error rate 12% is over 5%',
      checks: [{ name: 'errorRate', status: 'fail', measured: '12% (24/200)', against: 'max 5%' }],
    });
    assert.deepEqual(event.error, { type: 'Unhealthy', message: 'unhealthy: error rate 12% is over 5%' });
    assert.equal(event.links, undefined, 'no public URL, no links');
  });

  test('an aborted rollback has no verdict to tell, only its reason', () => {
    const aborted = status({
      outcome: 'rolled_back',
      lastError: { type: 'Aborted', isRetryable: false, message: 'aborted by alice' },
    });
    const event = buildNotification({ event: 'rolled_back', sequence: 2, at, message: '', status: aborted });
    assert.equal(event.verdict, undefined);
    assert.equal(event.error?.type, 'Aborted');
  });

  test('is a snapshot: later changes to the status do not reach an event already built', () => {
    const live = status({ candidateWeightPercent: 10 });
    const event = buildNotification({ event: 'weight_changed', sequence: 1, at, message: '', status: live });
    live.candidateWeightPercent = 50;
    assert.equal(event.release.candidateWeightPercent, 10);
  });
});

describe('the Slack message', () => {
  const approval = buildNotification({
    event: 'awaiting_approval',
    sequence: 4,
    at,
    message: 'waiting for approval to move on from 10%',
    status: status({
      phase: 'awaiting_approval',
      candidateWeightPercent: 10,
      candidateVersion: '7',
      stableVersion: '6',
    }),
    publicUrl: 'https://ramp.example.com',
  });

  test('names the function and weight, and has a button to approve in the dashboard', () => {
    const message = slackMessageSchema.parse(slackMessageOf(approval));
    const text = JSON.stringify(message.blocks);
    assert.match(text, /payments:live/);
    assert.match(text, /10% on version 7 \(stable: version 6\)/);
    const buttons = message.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    assert.deepEqual(
      buttons.map((button) => [button.text.text, button.url]),
      [
        ['Review and approve', `https://ramp.example.com/ui/releases/${releaseId}`],
        ['All releases', 'https://ramp.example.com/ui'],
      ],
    );
  });

  test('shows the failing verdict and its checks', () => {
    const rolledBack = status({ outcome: 'rolled_back', phase: 'completed', lastError: unhealthy });
    const event = buildNotification({
      event: 'rolled_back',
      sequence: 5,
      at,
      message: 'rolled back',
      status: rolledBack,
    });
    const text = JSON.stringify(slackMessageSchema.parse(slackMessageOf(event)).blocks);
    assert.match(text, /Verdict: fail/);
    assert.match(text, /errorRate: fail \(12% \(24\/200\) against max 5%\)/);
  });

  test('keeps within Block Kit’s limits whatever the message, and escapes mrkdwn', () => {
    const long: Notification = { ...approval, message: `<script>&${'x'.repeat(10_000)}` };
    const message = slackMessageSchema.parse(slackMessageOf(long));
    const section = message.blocks[1];
    assert.ok(section?.type === 'section' && section.text);
    assert.equal(section.text.text.length, 3000);
    assert.ok(section.text.text.startsWith('&lt;script&gt;&amp;'));
    assert.ok(message.text.length <= 4000);
  });

  test('the body sent is exactly the JSON of the message or event', () => {
    assert.deepEqual(JSON.parse(notificationBody('slack', approval)), slackMessageOf(approval));
    assert.deepEqual(JSON.parse(notificationBody('json', approval)), approval);
  });
});

describe('signing', () => {
  test('X-Ramp-Signature is sha256=<hex> of HMAC-SHA256 over the exact body', () => {
    const body = '{"id":"r/1","event":"started"}';
    assert.equal(
      signatureOf('s3cret', body),
      `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
    );
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assert.equal(
      signatureOf('Jefe', 'what do ya want for nothing?'),
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    assert.notEqual(signatureOf('s3cret', `${body} `), signatureOf('s3cret', body));
  });
});

describe('which webhooks are allowed', () => {
  test('https anywhere; http only to loopback and private hosts', () => {
    assert.equal(webhookProblem('https://hooks.slack.com/services/T/B/X'), undefined);
    for (const url of [
      'http://127.0.0.1:9000/x',
      'http://localhost/x',
      'http://10.0.0.5/x',
      'http://172.16.0.1/x',
      'http://172.31.255.255/x',
      'http://192.168.1.1/x',
      'http://[::1]:8080/x',
      'http://[fd12:3456::1]/x',
    ])
      assert.equal(webhookProblem(url), undefined, url);
    for (const url of [
      'http://hooks.example.com/x',
      'http://8.8.8.8/x',
      'http://172.32.0.1/x',
      'http://192.169.0.1/x',
      'http://[2001:db8::1]/x',
    ])
      assert.match(webhookProblem(url) ?? '', /only for loopback and private/, url);
    assert.match(webhookProblem('ftp://example.com/x') ?? '', /https/);
    assert.match(webhookProblem('https://user:pw@example.com/x') ?? '', /credentials/);
    assert.match(webhookProblem('not a url') ?? '', /not a URL/);
  });

  test('private hosts are recognised by address, not by name', () => {
    assert.ok(isPrivateHost('127.8.9.1'));
    assert.ok(!isPrivateHost('10.example.com'));
    assert.ok(!isPrivateHost('fc.example.com'));
  });
});
