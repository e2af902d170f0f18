import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../src/config.ts';
import { startLocalStack } from '../src/local-stack.ts';
import { createLogger } from '../src/observability/logger.ts';
import { installWorkerRuntime } from '../src/worker.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

test('with RAMP_PAYLOAD_KEYS the local stack’s Temporal UI decodes through the stack’s own /codec endpoint', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ramp-local-encrypted-'));
  const uiPort = await freePort();
  const apiPort = await freePort();
  const config = loadConfig({
    RAMP_DATA_DIR: dataDir,
    RAMP_TEMPORAL_PORT: String(await freePort()),
    RAMP_TEMPORAL_UI_PORT: String(uiPort),
    RAMP_SIM_PORT: String(await freePort()),
    RAMP_API_PORT: String(apiPort),
    RAMP_LAMBDA_BUDGET: '0',
    RAMP_PAYLOAD_KEYS: `local=${randomBytes(32).toString('base64')}`,
    RAMP_LOG_LEVEL: 'error',
  });
  const logger = createLogger({ level: 'error' });
  const stack = await startLocalStack(config, logger, await installWorkerRuntime(logger, config));
  try {
    // The UI server tells the browser where its codec is.
    const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    assert.equal(settings.Codec?.Endpoint, `http://127.0.0.1:${apiPort}/codec`);
    // The browser, on the UI's origin, may call it; the local API is open on loopback, so no token is needed.
    const uiOrigin = `http://localhost:${uiPort}`;
    const preflight = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), uiOrigin);
    const plain = defaultPayloadConverter.toPayload('hello');
    const json = {
      metadata: { encoding: Buffer.from(plain.metadata?.encoding ?? []).toString('base64') },
      data: Buffer.from(plain.data ?? []).toString('base64'),
    };
    const call = async (direction: string, payloads: unknown[]) =>
      (await (
        await fetch(`${stack.api.url}/codec/${direction}`, {
          method: 'POST',
          headers: { origin: uiOrigin, 'content-type': 'application/json' },
          body: JSON.stringify({ payloads }),
        })
      ).json()) as { payloads: unknown[] };
    const sealed = await call('encode', [json]);
    assert.notDeepEqual(sealed.payloads, [json]);
    assert.deepEqual((await call('decode', sealed.payloads)).payloads, [json]);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
