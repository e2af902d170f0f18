import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd } from '../helpers/wait-for.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

// The events a release's notification outbox gave up, after the release's own workflow closed, are in the
// release's timeline as GET /v1/releases/{id} answers it (and so in the dashboard), not only in the
// outbox's result and the worker's log.
test('events the outbox gave up after the release ended show in the release’s timeline', async () => {
  const receiver = await startWebhookReceiver();
  // Down (503) through the whole release, so its events go to the outbox; then the webhook is revoked (410).
  receiver.answer('/hook', 503);
  try {
    await withApiStack({}, async (api) => {
      const fn = uniqueName('outbox-tl');
      await api.stack.createFunctionWithAlias(fn, 'live');
      const started = await api.call('POST', '/v1/releases', {
        body: {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: 'AllAtOnce',
          notify: [{ webhook: `${receiver.url}/hook`, events: ['started', 'succeeded'] }],
        },
      });
      assert.equal(started.status, 202);
      const id = String(started.json.id);
      await waitForEnd(api.stack.releases, id);
      const read = async () =>
        (await api.call('GET', `/v1/releases/${encodeURIComponent(id)}`)).json as unknown as ReleaseStatus;
      const handedOff = await eventually(
        read,
        (s) => s.timeline.some((e) => e.event === 'notifications_handed_off'),
        60_000,
      );
      assert.ok(
        handedOff.timeline.some((e) => e.event === 'notifications_handed_off'),
        'the queue was handed over',
      );
      receiver.answer('/hook', 410);
      const status = await eventually(
        read,
        (s) => s.timeline.some((e) => e.event === 'notifications_outbox_ended'),
        120_000,
        500,
      );
      const givenUp = status.timeline.filter((e) => e.event === 'notification_failed');
      assert.deepEqual(
        givenUp.map((e) => e.details?.event),
        ['started', 'succeeded'],
        JSON.stringify(status.timeline.slice(-4), null, 2),
      );
      assert.match(
        givenUp[0]?.message ?? '',
        /^notification .+\/1 \(started\) to http:\/\/127\.0\.0\.1:\d+ given up by the outbox: /,
      );
      assert.ok(
        !givenUp.some((e) => e.message.includes('/hook')),
        'only the receiver’s origin, never the path',
      );
      const ended = status.timeline.at(-1);
      assert.equal(ended?.event, 'notifications_outbox_ended');
      assert.match(ended?.message ?? '', /delivered 0 notification\(s\) and gave up 2$/);
      assert.equal(status.outcome, 'succeeded', 'the release’s outcome is untouched');
    });
  } finally {
    await receiver.close();
  }
});
