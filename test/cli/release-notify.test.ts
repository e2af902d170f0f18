import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Notification } from '../../src/domain/notifications.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { runCli, withListeningApi } from '../helpers/cli.ts';
import { zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

test('`ramp release start --notify <url>` (repeatable) tells each webhook the release’s events, with links to the API it used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-notify-'));
  const receiver = await startWebhookReceiver();
  try {
    await withListeningApi({}, async (api) => {
      const name = uniqueName('cli-notify');
      await api.stack.createFunctionWithAlias(name, 'live');
      const zipPath = join(dir, 'build.zip');
      writeFileSync(zipPath, zipWith({}, `${name}-v2`));
      const specPath = join(dir, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ strategy: { steps: [{ weight: 25, bake: '100ms' }] } }));
      const run = await runCli(
        [
          'release',
          'start',
          specPath,
          '--function',
          name,
          '--alias',
          'live',
          '--zip',
          zipPath,
          '--notify',
          `${receiver.url}/first`,
          '--notify',
          `${receiver.url}/second`,
          '--wait',
        ],
        { env: { RAMP_API_URL: api.url } },
      );
      assert.equal(run.status, 0, run.stderr);
      const id = /release (\S+) started/.exec(run.stdout)?.[1];
      assert.ok(id, run.stdout);
      const parsed = parseReleaseId(id);
      assert.ok(parsed);
      // --wait returns at the outcome; the workflow delivers its last event right after.
      await api.stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).result();

      for (const path of ['/first', '/second']) {
        const events = receiver.received
          .filter((request) => request.path === path)
          .map((request) => JSON.parse(request.body) as Notification);
        assert.deepEqual(
          events.map((event) => event.event),
          ['started', 'weight_changed', 'succeeded'],
          path,
        );
        assert.equal(events[0]?.links?.dashboard, `${api.url}/ui/releases/${encodeURIComponent(id)}`);
      }
      // The stack's worker has no RAMP_NOTIFY_SECRET: deliveries go unsigned.
      assert.ok(receiver.received.every((request) => request.headers['x-ramp-signature'] === undefined));
    });
  } finally {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
