import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { startApi } from '../../src/api/start-api.ts';
import { loadConfig } from '../../src/config.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import type { ReleaseInput } from '../../src/domain/release-input.ts';
import { captureLogger } from '../helpers/log-capture.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';

// `ramp api` as it runs: config from the environment (RAMP_NOTIFY_FILE read by loadConfig), a real socket,
// real Temporal. No worker polls the task queue, so the started workflow only records its input.
function configWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-notify-api-'));
  return loadConfig({
    RAMP_DATA_DIR: dir,
    RAMP_API_PORT: '0',
    RAMP_TASK_QUEUE: uniqueName('notify-no-worker'),
    ...env,
  });
}

/** The release workflow's input, as its history recorded it. */
async function inputOf(handle: WorkflowHandle): Promise<ReleaseInput> {
  const history = await handle.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  assert.ok(payload?.data, 'the start event carries the input');
  return JSON.parse(Buffer.from(payload.data).toString('utf8')) as ReleaseInput;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/releases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('a notify webhook over http:// to a public host is refused with a 400 that says why, as are unknown events and formats', async () => {
  const { client } = await temporalEnvironment();
  const api = await startApi(configWith({}), { client, logger: captureLogger().logger });
  try {
    const spec = { function: uniqueName('pay'), alias: 'live', code: { zipFile: zipBase64() } };
    const refused = await post(api.url, { ...spec, notify: [{ webhook: 'http://hooks.example.com/ramp' }] });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as {
      error: { type: string; problems: { field: string; message: string }[] };
    };
    assert.equal(body.error.type, 'InvalidSpec');
    assert.equal(body.error.problems[0]?.field, 'notify.0.webhook');
    assert.match(body.error.problems[0]?.message ?? '', /http:\/\/ is allowed only for loopback and private/);

    const badEvent = await post(api.url, {
      ...spec,
      notify: [{ webhook: 'https://hooks.example.com/ramp', events: ['deployed'] }],
    });
    assert.equal(badEvent.status, 400);
    const badFormat = await post(api.url, {
      ...spec,
      notify: [{ webhook: 'https://hooks.example.com/ramp', format: 'teams' }],
    });
    assert.equal(badFormat.status, 400);

    const accepted = await post(api.url, { ...spec, notify: [{ webhook: 'http://192.168.1.5:8080/ramp' }] });
    assert.equal(accepted.status, 202);
    const { id } = (await accepted.json()) as { id: string };
    const parsed = parseReleaseId(id);
    assert.ok(parsed);
    const handle = client.workflow.getHandle(parsed.workflowId, parsed.runId);
    try {
      // Without RAMP_API_PUBLIC_URL, links point at the API's own URL, as the caller reached it.
      assert.equal((await inputOf(handle)).notify?.publicUrl, api.url);
    } finally {
      await handle.terminate('test over');
    }
  } finally {
    await api.close();
  }
});

test('RAMP_NOTIFY_FILE defaults are merged after the spec’s own targets into the workflow input, with the public URL', async () => {
  const { client } = await temporalEnvironment();
  const dir = mkdtempSync(join(tmpdir(), 'ramp-notify-file-'));
  const file = join(dir, 'notify.json');
  writeFileSync(
    file,
    JSON.stringify([
      {
        webhook: 'https://hooks.slack.com/services/T000/B000/XXXX',
        format: 'slack',
        events: ['rolled_back'],
      },
      { webhook: 'http://10.1.2.3:9000/ramp' },
    ]),
  );
  // The public URL names where people reach the API (a proxy); the test reaches it on loopback.
  const port = await freePort();
  const api = await startApi(
    configWith({
      RAMP_NOTIFY_FILE: file,
      RAMP_API_PUBLIC_URL: 'https://ramp.example.com',
      RAMP_API_PORT: String(port),
    }),
    { client, logger: captureLogger().logger },
  );
  let workflow: { workflowId: string; runId: string } | undefined;
  try {
    const response = await post(`http://127.0.0.1:${port}`, {
      function: uniqueName('pay'),
      alias: 'live',
      code: { zipFile: zipBase64() },
      notify: [{ webhook: 'http://127.0.0.1:7777/mine', events: ['started', 'succeeded'] }],
    });
    assert.equal(response.status, 202);
    const { id } = (await response.json()) as { id: string };
    const parsed = parseReleaseId(id);
    assert.ok(parsed);
    workflow = parsed;
    const input = await inputOf(client.workflow.getHandle(parsed.workflowId, parsed.runId));

    assert.deepEqual(input.notify, {
      targets: [
        { webhook: 'http://127.0.0.1:7777/mine', format: 'json', events: ['started', 'succeeded'] },
        {
          webhook: 'https://hooks.slack.com/services/T000/B000/XXXX',
          format: 'slack',
          events: ['rolled_back'],
        },
        { webhook: 'http://10.1.2.3:9000/ramp', format: 'json' },
      ],
      publicUrl: 'https://ramp.example.com',
    });
    assert.ok(!JSON.stringify(input).includes('secret'), 'the input carries no signing secret');
  } finally {
    if (workflow) await client.workflow.getHandle(workflow.workflowId, workflow.runId).terminate('test over');
    await api.close();
  }
});

test('a RAMP_NOTIFY_FILE that is not a list of targets stops the process at start with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-notify-file-'));
  const file = join(dir, 'notify.json');
  writeFileSync(file, JSON.stringify([{ webhook: 'http://hooks.example.com/ramp' }]));
  assert.throws(
    () => configWith({ RAMP_NOTIFY_FILE: file }),
    /RAMP_NOTIFY_FILE: .*0\.webhook: http:\/\/ is allowed only/,
  );
  assert.throws(
    () => configWith({ RAMP_NOTIFY_FILE: join(dir, 'missing.json') }),
    /RAMP_NOTIFY_FILE: cannot read/,
  );
});
