import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { createApiServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import type { Notification } from '../../src/domain/notifications.ts';
import type { TrainNotification } from '../../src/domain/train-notifications.ts';
import { slackMessageSchema } from '../helpers/block-kit.ts';
import { withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { trainKit } from '../helpers/train-stack.ts';
import { eventually } from '../helpers/wait-for.ts';
import { type ReceivedRequest, startWebhookReceiver } from '../helpers/webhook-receiver.ts';

// A train's own events, sent through the same activity, queues and signing as a release's, to the
// train's `notify` and to the server's defaults (RAMP_NOTIFY_FILE, read by loadConfig as `ramp api` does).
const secret = 'train-notify-secret';
const publicUrl = 'https://ramp.example.com';

const on = (received: ReceivedRequest[], path: string) => received.filter((r) => r.path === path);
const parsed = <T>(requests: ReceivedRequest[]) => requests.map((r) => JSON.parse(r.body) as T);
const isSignedWith = (key: string, request: ReceivedRequest) =>
  request.headers['x-ramp-signature'] ===
  `sha256=${createHmac('sha256', key).update(request.body).digest('hex')}`;

test('a train tells its notify targets and the server’s defaults that it started, paused, waits for approval and how it ended, once each, in order, signed', async () => {
  const receiver = await startWebhookReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'ramp-train-notify-'));
  const notifyFile = join(dir, 'notify.json');
  writeFileSync(notifyFile, JSON.stringify([{ webhook: `${receiver.url}/platform` }]));
  const config = loadConfig({ RAMP_DATA_DIR: dir, RAMP_NOTIFY_FILE: notifyFile });
  try {
    await withReleaseStack({ notifySecret: secret }, async (stack) => {
      const kit = trainKit(stack);
      const app = await createApiServer({
        releases: stack.releases,
        trains: stack.trains,
        auth: loadAuthConfig({}),
        isReady: async () => true,
        audit: () => {},
        publicUrl,
        notifyDefaults: config.notify.defaultTargets,
      });
      try {
        const [a, b] = [uniqueName('tn-a'), uniqueName('tn-b')];
        await kit.createFunctionIn('us-east-1', a);
        await kit.createFunctionIn('eu-west-1', b);
        const startTrain = async (name: string) => {
          const response = await app.inject({
            method: 'POST',
            url: '/v1/trains',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({
              name,
              defaults: { alias: 'live', strategy: { steps: [{ weight: 20, bake: '200ms' }] } },
              waves: [
                {
                  name: 'first',
                  targets: [{ function: a, region: 'us-east-1', code: { zipFile: zipBase64() } }],
                },
                {
                  name: 'second',
                  approval: true,
                  targets: [{ function: b, region: 'eu-west-1', code: { zipFile: zipBase64() } }],
                },
              ],
              notify: [
                { webhook: `${receiver.url}/${name}/json` },
                { webhook: `${receiver.url}/${name}/slack`, format: 'slack' },
                {
                  webhook: `${receiver.url}/${name}/endings`,
                  events: ['train_succeeded', 'train_rolled_back', 'train_needs_attention'],
                },
              ],
            }),
          });
          assert.equal(response.statusCode, 202, response.body);
          return (response.json() as { id: string }).id;
        };

        // One train approved (after a pause) to success, one aborted at its gate and rolled back.
        const shipped = await startTrain('shipped');
        await kit.waitForTrain(shipped, (s) => s.awaitingApproval);
        await kit.trains.control(shipped, 'pause', { by: 'alice', reason: 'lunch' });
        await kit.trains.control(shipped, 'approve', { by: 'alice' });
        await kit.trains.control(shipped, 'resume', { by: 'alice' });
        const shippedStatus = await kit.waitForTrain(shipped, (s) => s.outcome !== null);
        assert.equal(shippedStatus.outcome, 'succeeded');
        await stack.client.workflow.getHandle(shipped).result();

        const reverted = await startTrain('reverted');
        await kit.waitForTrain(reverted, (s) => s.awaitingApproval);
        await kit.trains.control(reverted, 'abort', { by: 'bob', reason: 'bad numbers' });
        const revertedStatus = await kit.waitForTrain(reverted, (s) => s.outcome !== null);
        assert.equal(revertedStatus.outcome, 'rolled_back');
        await stack.client.workflow.getHandle(reverted).result();

        const json = parsed<TrainNotification>(on(receiver.received, '/shipped/json'));
        assert.deepEqual(
          json.map((n) => [n.sequence, n.event]),
          [
            [1, 'train_started'],
            [2, 'train_awaiting_approval'],
            [3, 'train_paused'],
            [4, 'train_succeeded'],
          ],
        );
        assert.deepEqual(
          json.map((n) => n.id),
          [1, 2, 3, 4].map((n) => `${shipped}/${n}`),
        );
        const [started, waiting, paused, succeeded] = json;
        assert.equal(started?.train.name, 'shipped');
        assert.equal(started?.train.targetCount, 2);
        assert.equal(waiting?.train.wave, 2);
        assert.equal(waiting?.train.waveName, 'second');
        assert.equal(waiting?.links?.dashboard, `${publicUrl}/ui/trains/${shipped}`);
        assert.match(paused?.message ?? '', /pause requested by alice: lunch/);
        assert.equal(succeeded?.train.outcome, 'succeeded');
        assert.equal(succeeded?.train.succeededTargets, 2);
        assert.equal(succeeded?.targets, undefined);
        for (const request of on(receiver.received, '/shipped/json')) {
          assert.ok(isSignedWith(secret, request), 'signed with RAMP_NOTIFY_SECRET');
          assert.equal(
            request.headers['idempotency-key'],
            (JSON.parse(request.body) as TrainNotification).id,
          );
        }

        const slack = on(receiver.received, '/shipped/slack');
        assert.equal(slack.length, 4);
        for (const request of slack) slackMessageSchema.parse(JSON.parse(request.body));
        assert.match(slack[1]?.body ?? '', /Review and approve/);

        const rolledBack = parsed<TrainNotification>(on(receiver.received, '/reverted/json'));
        assert.deepEqual(
          rolledBack.map((n) => n.event),
          ['train_started', 'train_awaiting_approval', 'train_rolled_back'],
        );
        const ending = rolledBack.at(-1);
        assert.equal(ending?.train.outcome, 'rolled_back');
        assert.deepEqual(
          ending?.targets?.map((t) => [t.function, t.outcome]),
          [[a, 'rolled_back']],
        );
        assert.equal(ending?.message, 'train rolled_back: abort requested by bob: bad numbers');
        const slackEnding = on(receiver.received, '/reverted/slack').at(-1);
        assert.ok(slackEnding);
        slackMessageSchema.parse(JSON.parse(slackEnding.body));

        assert.deepEqual(
          parsed<TrainNotification>(on(receiver.received, '/shipped/endings')).map((n) => n.event),
          ['train_succeeded'],
          'a target gets only the events it asked for',
        );
        assert.deepEqual(
          parsed<TrainNotification>(on(receiver.received, '/reverted/endings')).map((n) => n.event),
          ['train_rolled_back'],
        );

        // The server's defaults get everything: the train's own events and each target release's.
        const platform = await eventually(
          () => parsed<TrainNotification & Notification>(on(receiver.received, '/platform')),
          (events) => events.filter((e) => e.event === 'succeeded').length >= 2,
        );
        const ofShipped = platform.filter((e) => e.train?.id === shipped).map((e) => e.event);
        assert.deepEqual(ofShipped, [
          'train_started',
          'train_awaiting_approval',
          'train_paused',
          'train_succeeded',
        ]);
        const releaseEvents = platform.filter((e) => e.release);
        assert.ok(
          releaseEvents.some((e) => e.event === 'started' && e.release.function === a),
          'the targets’ release events reach the defaults too',
        );
        const eventIds = platform.map((e) => e.id);
        assert.equal(new Set(eventIds).size, eventIds.length, 'each event once');
      } finally {
        await app.close();
        kit.close();
      }
    });
  } finally {
    await receiver.close();
  }
});
