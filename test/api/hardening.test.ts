import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';

test('a reused Idempotency-Key with a different body answers 422 and starts nothing; the same body gets the first release', async () => {
  await withApiStack({}, async (api) => {
    const fn = uniqueName('idem');
    await api.stack.createFunctionWithAlias(fn, 'live');
    const spec = {
      function: fn,
      alias: 'live',
      code: { zipFile: zipBase64({}, `${fn}-v2`) },
      strategy: { steps: [{ weight: 10, bake: '10m' }] },
    };
    const headers = { 'idempotency-key': `pipeline-${fn}` };
    const first = await api.call('POST', '/v1/releases', { body: spec, headers });
    assert.equal(first.status, 202);

    const changed = await api.call('POST', '/v1/releases', {
      body: { ...spec, description: 'another build' },
      headers,
    });
    assert.equal(changed.status, 422);
    assert.equal(changed.json.error?.type, 'IdempotencyKeyReused');
    assert.match(changed.json.error?.message ?? '', /different request/);

    const retried = await api.call('POST', '/v1/releases', { body: spec, headers });
    assert.equal(retried.status, 200);
    assert.equal(retried.json.id, first.json.id);
    const listed = await api.stack.releases.list({ functionName: fn });
    assert.equal(listed.releases.length, 1, 'only the first request started a release');
    await api.stack.releases.control(String(first.json.id), 'abort');
  });
});

test('each token has its own rate limit: over it, 429 with Retry-After in the standard error shape', async () => {
  const tokensFile = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  writeFileSync(
    tokensFile,
    JSON.stringify({ tokens: [{ name: 'viewer', token: 'viewer-token-0123456789', scopes: ['read'] }] }),
  );
  const auth = loadAuthConfig({ adminToken: 'admin-token-0123456789', tokensFile });
  await withApiStack({ auth, rateLimit: { max: 3, windowMs: 60_000 } }, async (api) => {
    const token = 'admin-token-0123456789';
    for (let i = 0; i < 3; i++) {
      const page = await api.call('GET', '/v1/releases?pageSize=1', { token });
      assert.equal(page.status, 200);
    }
    const limited = await api.call('GET', '/v1/releases?pageSize=1', { token });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error?.type, 'TooManyRequests');
    assert.match(limited.json.error?.message ?? '', /token "admin"/);
    assert.ok(Number(limited.headers['retry-after']) > 0, `Retry-After: ${limited.headers['retry-after']}`);

    const otherToken = await api.call('GET', '/v1/releases?pageSize=1', { token: 'viewer-token-0123456789' });
    assert.equal(otherToken.status, 200, 'another token is not limited by the first one’s use');

    // Anonymous callers are refused by auth first, and health checks are never limited.
    const anonymous = await api.call('GET', '/v1/releases');
    assert.equal(anonymous.status, 401);
    for (let i = 0; i < 5; i++) assert.equal((await api.call('GET', '/healthz')).status, 200);
  });
});
