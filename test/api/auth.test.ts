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
        {
          name: 'payments-oncall',
          sha256: sha('oncall-token-0123456789'),
          scopes: ['operate', 'read'],
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

  test('a release id names its function, so a token for payments-* cannot read or operate an auth-* release', async () => {
    const auth = loadAuthConfig({ tokensFile: tokensFile() });
    await withApiStack({ auth }, async (api) => {
      const otherTeams = 'us-east-1.auth-service.live.00000000-0000-4000-8000-000000000000';
      const ownTeams = 'us-east-1.payments-api.live.00000000-0000-4000-8000-000000000000';

      const abort = await api.call('POST', `/v1/releases/${otherTeams}/abort`, {
        token: 'oncall-token-0123456789',
      });
      const read = await api.call('GET', `/v1/releases/${otherTeams}`, { token: 'oncall-token-0123456789' });
      const events = await api.call('GET', `/v1/releases/${otherTeams}/events`, {
        token: 'oncall-token-0123456789',
      });
      const list = await api.call('GET', '/v1/releases?function=auth-service', {
        token: 'oncall-token-0123456789',
      });
      const own = await api.call('POST', `/v1/releases/${ownTeams}/abort`, {
        token: 'oncall-token-0123456789',
      });

      assert.deepEqual([abort.status, read.status, events.status, list.status], [403, 403, 403, 403]);
      assert.match(abort.json.error?.message ?? '', /payments-\*, not auth-service/);
      assert.equal(own.status, 404, 'its own function passes auth and meets the real lookup');
      assert.equal(own.json.error?.type, 'ReleaseNotFound');
    });
  });

  test('refusals say why in JSON, 401 carries WWW-Authenticate, and every refused mutating call is audited', async () => {
    const auth = loadAuthConfig({ tokensFile: tokensFile() });
    await withApiStack({ auth }, async (api) => {
      const id = 'us-east-1.payments-api.live.00000000-0000-4000-8000-000000000000';

      const missing = await api.app.inject({ method: 'POST', url: `/v1/releases/${id}/approve` });
      const wrong = await api.app.inject({
        method: 'POST',
        url: `/v1/releases/${id}/approve`,
        headers: { authorization: 'Bearer nope-nope-nope-nope' },
      });
      const malformedHeader = await api.app.inject({
        method: 'GET',
        url: '/v1/releases',
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
      });
      const scope = await api.call('POST', `/v1/releases/${id}/approve`, {
        token: 'viewer-token-0123456789',
      });

      assert.equal(missing.statusCode, 401);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="ramp"');
      assert.equal(missing.json().error.type, 'Unauthorized');
      assert.equal(wrong.statusCode, 401);
      assert.match(String(wrong.headers['www-authenticate']), /error="invalid_token"/);
      assert.equal(malformedHeader.statusCode, 401);
      assert.equal(scope.status, 403);
      assert.match(scope.json.error?.message ?? '', /lacks the "operate" scope/);
      const refusals = api.audit.filter((entry) => entry.action === 'approve');
      assert.deepEqual(
        refusals.map((entry) => [entry.token, entry.status, entry.outcome, entry.errorType]),
        [
          [null, 401, 'refused', 'Unauthorized'],
          [null, 401, 'refused', 'Unauthorized'],
          ['viewer', 403, 'refused', 'Forbidden'],
        ],
      );
      assert.ok(refusals.every((entry) => entry.releaseId === id && entry.at && entry.requestId));
      assert.ok(!JSON.stringify(api.audit).includes('nope-nope'), 'presented tokens are never logged');
    });
  });

  test('an anonymous request is refused before its body is read: a 70 MB body gets 401, not 413', async () => {
    const auth = loadAuthConfig({ adminToken: 'admin-token-0123456789' });
    await withApiStack({ auth }, async (api) => {
      const response = await api.call('POST', '/v1/releases', {
        rawBody: `{"function":"${'f'.repeat(70 * 1024 * 1024)}"}`,
      });
      assert.equal(response.status, 401);
      assert.equal(api.startCalls(), 0);
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
      await api.call('GET', '/v1/releases');
      const afterRefusal = await api.app.inject({ method: 'GET', url: '/metrics' });
      assert.match(afterRefusal.body, /ramp_api_errors_total\{type="Unauthorized",status="401"\} [1-9]/);
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
