import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApi } from '../../src/api/start-api.ts';
import { loadConfig } from '../../src/config.ts';
import { captureLogger } from '../helpers/log-capture.ts';
import { temporalEnvironment } from '../helpers/temporal.ts';

// The composition root as `ramp api` and the local stack run it: real listening socket, real Temporal.
function configWith(env: Record<string, string>) {
  return loadConfig({ RAMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'ramp-api-')), RAMP_API_PORT: '0', ...env });
}

test('with no token configured it refuses to listen beyond loopback', async () => {
  await assert.rejects(
    startApi(configWith({ RAMP_API_HOST: '0.0.0.0' }), { logger: captureLogger().logger }),
    /refusing to listen on 0\.0\.0\.0 without a token/,
  );
});

test('with no token it listens on loopback, says loudly that it is open, and serves readiness, metrics and audit lines', async () => {
  const { client } = await temporalEnvironment();
  const { logger, lines: logged } = captureLogger();
  const lines = () => logged().map((line) => String(line.msg));
  const api = await startApi(configWith({}), { client, logger });
  try {
    assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(lines().some((line) => /the API at .* is OPEN/.test(line)));

    const ready = await fetch(`${api.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, temporal: 'reachable' });
    const unknown = 'us-east-1.orders.live.00000000-0000-4000-8000-000000000000';
    const abort = await fetch(`${api.url}/v1/releases/${unknown}/abort`, { method: 'POST' });
    assert.equal(abort.status, 404);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();

    assert.match(metrics, /ramp_releases_by_outcome\{outcome="succeeded"\} \d+/);
    assert.match(metrics, /ramp_releases_running \d+/);
    // Counted with a RampPhase query against the real dev server: a malformed query would drop these lines.
    assert.match(metrics, /ramp_releases_rolling_back \d+/);
    assert.match(metrics, /ramp_api_errors_total\{type="ReleaseNotFound",status="404"\} [1-9]/);
    const audit = logged().find((fields) => fields.audit === true);
    assert.equal(audit?.action, 'abort');
    assert.equal(audit?.releaseId, unknown);
    assert.equal(audit?.outcome, 'refused');
    assert.equal(audit?.token, 'anonymous (open API)');
  } finally {
    await api.close();
  }
});

test('with a token it may listen on every interface, and asks for the token', async () => {
  const { client } = await temporalEnvironment();
  const { logger, lines: logged } = captureLogger();
  const api = await startApi(
    configWith({ RAMP_API_HOST: '0.0.0.0', RAMP_API_TOKEN: 'admin-token-0123456789' }),
    { client, logger },
  );
  try {
    const port = new URL(api.url).port;
    assert.ok(!logged().some((line) => /OPEN/.test(String(line.msg))));
    const refused = await fetch(`http://127.0.0.1:${port}/v1/releases`);
    const allowed = await fetch(`http://127.0.0.1:${port}/v1/releases?pageSize=1`, {
      headers: { authorization: 'Bearer admin-token-0123456789' },
    });
    assert.equal(refused.status, 401);
    assert.equal(allowed.status, 200);
    assert.ok(Array.isArray(((await allowed.json()) as { releases: unknown[] }).releases));
  } finally {
    await api.close();
  }
});
