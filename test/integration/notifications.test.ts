import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  type Notification,
  type NotificationOutboxResult,
  notificationOutboxWorkflowId,
} from '../../src/domain/notifications.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { slackMessageSchema } from '../helpers/block-kit.ts';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd, waitForStatus } from '../helpers/wait-for.ts';
import { type ReceivedRequest, startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const secret = 'notify-test-secret';
const publicUrl = 'https://ramp.example.com';

/** Waits for the release's workflow itself to close: after the outcome, it drains its notifications briefly first. */
async function waitForWorkflowClosed(stack: ReleaseStack, releaseId: string): Promise<void> {
  const parsed = parseReleaseId(releaseId);
  if (!parsed) throw new Error(`bad release id ${releaseId}`);
  await stack.client.workflow
    .getHandle(parsed.workflowId, parsed.runId)
    .result()
    .catch(() => undefined);
}

/**
 * Waits until the release has sent everything it will send: its workflow closed and, when it handed its
 * queues over (a receiver was still down at its end), its outbox closed too.
 */
async function waitForNotificationsSent(stack: ReleaseStack, releaseId: string): Promise<void> {
  await waitForWorkflowClosed(stack, releaseId);
  await stack.client.workflow
    .getHandle(notificationOutboxWorkflowId(releaseId))
    .result()
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
}

function isSignedWith(key: string, request: ReceivedRequest): boolean {
  const expected = `sha256=${createHmac('sha256', key).update(request.body).digest('hex')}`;
  return request.headers['x-ramp-signature'] === expected;
}

const on = (received: ReceivedRequest[], path: string) => received.filter((request) => request.path === path);
const eventsOf = (requests: ReceivedRequest[]) =>
  requests.map((r) => (JSON.parse(r.body) as Notification).event);

describe('release notifications, delivered to a real webhook receiver by the worker', () => {
  test('tells a receiver each event of a canary once, in order, signed, with a Slack message valid Block Kit', async () => {
    const receiver = await startWebhookReceiver();
    try {
      await withReleaseStack({ notifySecret: secret }, async (stack) => {
        const fn = uniqueName('notify');
        await stack.createFunctionWithAlias(fn, 'live');
        const id = await stack.startRelease(
          {
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64() },
            strategy: {
              steps: [
                { weight: 10, bake: '3s' },
                { weight: 50, bake: '50ms', approval: true },
              ],
            },
            notify: [
              { webhook: `${receiver.url}/json` },
              { webhook: `${receiver.url}/slack`, format: 'slack' },
            ],
          },
          { notify: { targets: [], publicUrl } },
        );
        await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
        await stack.releases.control(id, 'pause', { by: 'alice', reason: 'checking dashboards' });
        await stack.releases.control(id, 'resume', { by: 'alice' });
        await waitForStatus(stack.releases, id, (s) => s.awaitingApproval);
        await stack.releases.control(id, 'approve', { by: 'bob' });
        await waitForNotificationsSent(stack, id);

        const json = on(receiver.received, '/json');
        assert.deepEqual(eventsOf(json), [
          'started',
          'weight_changed',
          'paused',
          'weight_changed',
          'awaiting_approval',
          'succeeded',
        ]);
        const events = json.map((request) => JSON.parse(request.body) as Notification);
        assert.deepEqual(
          events.map((event) => event.id),
          events.map((_, index) => `${id}/${index + 1}`),
        );
        for (const request of json) {
          assert.ok(isSignedWith(secret, request), `signature of ${request.body}`);
          assert.equal(request.headers['idempotency-key'], (JSON.parse(request.body) as Notification).id);
          assert.equal(request.headers['content-type'], 'application/json');
        }
        assert.deepEqual(
          events.filter((e) => e.event === 'weight_changed').map((e) => e.release.candidateWeightPercent),
          [10, 50],
        );
        const approval = events.find((event) => event.event === 'awaiting_approval');
        assert.equal(approval?.links?.dashboard, `${publicUrl}/ui/releases/${encodeURIComponent(id)}`);
        const done = events.at(-1);
        assert.equal(done?.release.outcome, 'succeeded');
        assert.equal(done?.release.candidateWeightPercent, 100);
        assert.equal(done?.release.function, fn);

        const slack = on(receiver.received, '/slack');
        assert.equal(slack.length, json.length);
        for (const request of slack) {
          assert.ok(isSignedWith(secret, request));
          const message = slackMessageSchema.parse(JSON.parse(request.body));
          assert.match(JSON.stringify(message.blocks[0]), new RegExp(`${fn}:live`));
        }
        const approvalMessage = slackMessageSchema.parse(JSON.parse(slack[4]?.body ?? '{}'));
        const buttons = approvalMessage.blocks.flatMap((block) =>
          block.type === 'actions' ? block.elements : [],
        );
        assert.equal(buttons[0]?.text.text, 'Review and approve');
        assert.equal(buttons[0]?.url, `${publicUrl}/ui/releases/${encodeURIComponent(id)}`);
      });
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that is down for about a minute gets every event once, in order, once it is back', async () => {
    const receiver = await startWebhookReceiver();
    await receiver.down();
    try {
      await withReleaseStack({ notifySecret: secret }, async (stack) => {
        const fn = uniqueName('notify-down');
        await stack.createFunctionWithAlias(fn, 'live');
        const id = await stack.startRelease(
          {
            function: fn,
            alias: 'live',
            code: { zipFile: zipBase64() },
            // The release itself takes about a minute, all of it with the receiver refusing connections.
            strategy: {
              steps: [
                { weight: 10, bake: '30s' },
                { weight: 50, bake: '30s' },
              ],
            },
            notify: [{ webhook: `${receiver.url}/hook` }],
          },
          { notify: { targets: [], publicUrl } },
        );
        const ended = await waitForStatus(stack.releases, id, (s) => s.outcome !== null, 120_000);
        assert.equal(ended.outcome, 'succeeded', 'a receiver that is down never blocks or fails a release');
        assert.equal(receiver.received.length, 0);

        await receiver.up();
        await waitForNotificationsSent(stack, id);

        const requests = on(receiver.received, '/hook');
        assert.deepEqual(eventsOf(requests), ['started', 'weight_changed', 'weight_changed', 'succeeded']);
        assert.equal(new Set(requests.map((r) => r.headers['idempotency-key'])).size, requests.length);
        for (const request of requests) assert.ok(isSignedWith(secret, request));
        const status = await stack.releases.status(id);
        // The first event was retried while the receiver was down: by the release itself, or, still not
        // delivered 15 s after the release's end, by the outbox it was handed to (which counts afresh).
        const handedOff = status.timeline.some((entry) => entry.event === 'notifications_handed_off');
        assert.ok(
          handedOff || Number(requests[0]?.headers['x-ramp-delivery-attempt']) > 1,
          'the first event was retried while the receiver was down',
        );
        assert.ok(!status.timeline.some((entry) => entry.event === 'notification_failed'));
      });
    } finally {
      await receiver.close();
    }
  });

  test('a rolled-back release tells why: the failing verdict and its figures; a refusing receiver is given up and noted', async () => {
    const verdict = {
      status: 'fail' as const,
      message: 'error rate 30% is over the 10% limit',
      checks: [{ name: 'errorRate', status: 'fail' as const, measured: '30% (60/200)', against: 'max 10%' }],
    };
    const receiver = await startWebhookReceiver();
    receiver.answer('/gone', 410);
    try {
      await withReleaseStack(
        { notifySecret: secret, healthGate: { check: async () => verdict } },
        async (stack) => {
          const fn = uniqueName('notify-rb');
          await stack.createFunctionWithAlias(fn, 'live');
          const id = await stack.startRelease(
            {
              function: fn,
              alias: 'live',
              code: { zipFile: zipBase64() },
              strategy: { steps: [{ weight: 10, bake: '200ms' }] },
              health: { interval: '1s', metrics: { errorRate: { max: 0.1 } } },
              notify: [
                { webhook: `${receiver.url}/hook`, events: ['rolled_back'], format: 'json' },
                { webhook: `${receiver.url}/slack`, events: ['rolled_back'], format: 'slack' },
                { webhook: `${receiver.url}/gone` },
              ],
            },
            { notify: { targets: [], publicUrl } },
          );
          await waitForNotificationsSent(stack, id);

          const requests = on(receiver.received, '/hook');
          assert.deepEqual(eventsOf(requests), ['rolled_back']);
          const event = JSON.parse(requests[0]?.body ?? '{}') as Notification;
          assert.equal(event.release.outcome, 'rolled_back');
          assert.equal(event.release.candidateWeightPercent, 0);
          assert.equal(event.verdict?.status, 'fail');
          assert.equal(event.verdict?.message, verdict.message);
          assert.deepEqual(event.verdict?.checks, verdict.checks);
          assert.equal(event.error?.type, 'Unhealthy');

          const slack = slackMessageSchema.parse(
            JSON.parse(on(receiver.received, '/slack')[0]?.body ?? '{}'),
          );
          assert.match(JSON.stringify(slack.blocks), /30% \(60\/200\)/);

          // 410 Gone is final: one attempt per event, each given up and noted; the release is unaffected.
          const gone = on(receiver.received, '/gone');
          assert.ok(gone.length >= 2);
          assert.equal(new Set(gone.map((r) => r.headers['idempotency-key'])).size, gone.length);
          const status = await stack.releases.status(id);
          assert.equal(status.outcome, 'rolled_back');
          const noted = status.timeline.filter((entry) => entry.event === 'notification_failed');
          assert.equal(noted.length, gone.length);
          assert.match(noted[0]?.message ?? '', /HTTP 410/);
          assert.ok(
            !noted.some((entry) => entry.message.includes('/gone')),
            'the timeline names the origin only',
          );
        },
      );
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that is down at the end does not hold the alias: the workflow completes, the next release starts, and the outbox delivers every event once, in order, when it is back', async (t) => {
    const receiver = await startWebhookReceiver();
    await receiver.down();
    try {
      await withReleaseStack({ notifySecret: secret }, async (stack) => {
        const fn = uniqueName('notify-outbox');
        await stack.createFunctionWithAlias(fn, 'live');
        const releaseOf = (build: string) =>
          stack.startRelease(
            {
              function: fn,
              alias: 'live',
              code: { zipFile: zipBase64({}, build) },
              strategy: { steps: [{ weight: 10, bake: '1s' }] },
              notify: [{ webhook: `${receiver.url}/hook` }],
            },
            { notify: { targets: [], publicUrl } },
          );
        const handleOf = (releaseId: string) => {
          const parsed = parseReleaseId(releaseId);
          if (!parsed) throw new Error(`bad release id ${releaseId}`);
          return stack.client.workflow.getHandle(parsed.workflowId, parsed.runId);
        };

        const first = await releaseOf(uniqueName('first'));
        const ended = await waitForEnd(stack.releases, first, 60_000);
        assert.equal(ended.outcome, 'succeeded');
        // The workflow closes after a short drain, while the receiver is still down: it does not wait for it.
        const closed = await eventually(
          () => handleOf(first).describe(),
          (description) => description.status.name !== 'RUNNING',
          120_000,
          200,
        );
        assert.equal(closed.status.name, 'COMPLETED');
        assert.equal(receiver.received.length, 0, 'the receiver was down all along');
        const closedAfterEndMs =
          (closed.closeTime?.getTime() ?? Number.NaN) - Date.parse(ended.endedAt ?? '');
        t.diagnostic(`the release's workflow closed ${closedAfterEndMs} ms after its outcome`);

        const outboxId = notificationOutboxWorkflowId(first);
        const handedOff = (await stack.releases.status(first)).timeline.find(
          (entry) => entry.event === 'notifications_handed_off',
        );
        assert.equal(handedOff?.details?.outboxWorkflowId, outboxId);
        assert.equal(handedOff?.details?.left, 3, 'started, weight_changed and succeeded were still queued');
        const outbox = await stack.client.workflow.getHandle(outboxId).describe();
        assert.equal(outbox.status.name, 'RUNNING');
        assert.equal(outbox.type, 'notificationOutbox');

        // The alias is free at once: a new release of it starts (no 409) and runs to its end.
        const second = await releaseOf(uniqueName('second'));
        assert.notEqual(second, first);
        assert.equal((await waitForEnd(stack.releases, second, 60_000)).outcome, 'succeeded');
        await waitForWorkflowClosed(stack, second);

        await receiver.up();
        await waitForNotificationsSent(stack, first);
        await waitForNotificationsSent(stack, second);

        const requests = on(receiver.received, '/hook');
        assert.equal(new Set(requests.map((r) => r.headers['idempotency-key'])).size, requests.length);
        for (const request of requests)
          assert.ok(isSignedWith(secret, request), `signature of ${request.body}`);
        for (const releaseId of [first, second]) {
          const events = requests
            .map((request) => JSON.parse(request.body) as Notification)
            .filter((event) => event.release.id === releaseId);
          assert.deepEqual(
            events.map((event) => event.event),
            ['started', 'weight_changed', 'succeeded'],
          );
          assert.deepEqual(
            events.map((event) => event.id),
            [1, 2, 3].map((sequence) => `${releaseId}/${sequence}`),
          );
        }
        const outboxResult = (await stack.client.workflow
          .getHandle(outboxId)
          .result()) as NotificationOutboxResult;
        assert.deepEqual(outboxResult, { delivered: 3, givenUp: [] });
        const status = await stack.releases.status(first);
        assert.ok(
          !status.timeline.some((entry) => entry.event === 'notification_failed'),
          'nothing was given up',
        );
      });
    } finally {
      await receiver.close();
    }
  });
});
