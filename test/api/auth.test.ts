import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { authenticate, loadAuthConfig } from '../../src/api/auth.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd } from '../helpers/wait-for.ts';

const sha = (token: string) => createHash('sha256').update(token).digest('hex');

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  writeFileSync(
    path,
    JSON.stringify({
      tokens: [
        {
          name: 'ci-payments',
          sha256: sha('payments-token-0123456789'),
          scopes: ['release', 'read'],
          functions: ['payments-*'],
        },
        { name: 'viewer', sha256: sha('viewer-token-0123456789'), scopes: ['read'], functions: ['*'] },
      ],
    }),
  );
  return path;
}

describe('API authentication and authorization', () => {
  test('refuses a missing token and a wrong token with 401, a wrong scope and a wrong function pattern with 403', async () => {
    const auth = loadAuthConfig({ adminToken: 'admin-token-0123456789', tokensFile: tokensFile() });
    await withApiStack({ auth }, async (api) => {
      const fn = `payments-${uniqueName('api')}`;
      await api.stack.createFunctionWithAlias(fn, 'live');
      const spec = { function: fn, alias: 'live', code: { zipFile: zipBase64() }, strategy: 'AllAtOnce' };

      const missing = await api.call('POST', '/v1/releases', { body: spec });
      assert.equal(missing.status, 401);
      assert.equal(missing.json.error?.type, 'Unauthorized');
      const wrong = await api.call('POST', '/v1/releases', { body: spec, token: 'not-a-real-token-at-all' });
      assert.equal(wrong.status, 401);
      const readOnly = await api.call('POST', '/v1/releases', {
        body: spec,
        token: 'viewer-token-0123456789',
      });
      assert.equal(readOnly.status, 403);
      assert.match(readOnly.json.error?.message ?? '', /lacks the "release" scope/);
      const otherTeam = await api.call('POST', '/v1/releases', {
        body: { ...spec, function: 'auth-service' },
        token: 'payments-token-0123456789',
      });
      assert.equal(otherTeam.status, 403);
      assert.match(otherTeam.json.error?.message ?? '', /payments-\*/);
      assert.equal(api.startCalls(), 0, 'no refused request reached Temporal');

      const accepted = await api.call('POST', '/v1/releases', {
        body: spec,
        token: 'payments-token-0123456789',
      });
      assert.equal(accepted.status, 202);
      const id = String(accepted.json.id);
      const operate = await api.call('POST', `/v1/releases/${id}/abort`, {
        token: 'payments-token-0123456789',
      });
      assert.equal(operate.status, 403, 'a release token cannot operate');
      await waitForEnd(api.stack.releases, id);
      assert.equal(api.audit.filter((e) => e.action === 'start' && e.status === 202).length, 1);
      assert.equal(api.audit.find((e) => e.status === 202)?.token, 'ci-payments');
      assert.ok(!JSON.stringify(api.audit).includes('payments-token-0123456789'), 'tokens are never logged');
    });
  });

  test('health, readiness, metrics and the OpenAPI document need no token', async () => {
    const auth = loadAuthConfig({ adminToken: 'admin-token-0123456789' });
    await withApiStack({ auth }, async (api) => {
      for (const path of ['/healthz', '/readyz', '/openapi.json'])
        assert.equal((await api.call('GET', path)).status, 200, path);
      const metrics = await api.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 200);
      assert.match(metrics.body, /ramp_api_request_duration_seconds/);
      const docs = await api.app.inject({ method: 'GET', url: '/docs/' });
      assert.ok([200, 302].includes(docs.statusCode));
      const openapi = (await api.call('GET', '/openapi.json')).json as {
        openapi: string;
        components: { schemas: { ReleaseSpec: { properties: Record<string, unknown> } } };
      };
      assert.equal(openapi.openapi, '3.1.0');
      assert.ok('function' in openapi.components.schemas.ReleaseSpec.properties);
    });
  });
});

test('the example tokens file in the repository loads, and its example tokens authenticate with their scopes', () => {
  const auth = loadAuthConfig({
    tokensFile: new URL('../../ramp-api-tokens.example.json', import.meta.url).pathname,
  });
  const result = authenticate(auth, 'Bearer example-oncall-token-change-me');
  assert.ok(result.ok);
  assert.equal(result.principal.name, 'payments-oncall');
  assert.deepEqual(result.principal.scopes, ['operate', 'read']);
});
