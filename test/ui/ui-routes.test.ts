import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { withApiStack } from '../helpers/api-stack.ts';

const sha = (token: string) => createHash('sha256').update(token).digest('hex');

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  const tokens = [
    { name: 'viewer', sha256: sha('viewer-token-0123456789'), scopes: ['read'], functions: ['pay-*'] },
  ];
  writeFileSync(path, JSON.stringify({ tokens }));
  return path;
}

describe('the dashboard’s files and GET /v1/me', () => {
  test('serves the page with an import map of versioned vendor files, each cached as immutable, and the app revalidated by ETag', async () => {
    await withApiStack({}, async (api) => {
      const page = await api.app.inject({ method: 'GET', url: '/ui' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /text\/html/);
      const importMap = JSON.parse(
        /<script type="importmap">(.+?)<\/script>/.exec(page.body)?.[1] ?? '{}',
      ) as {
        imports: Record<string, string>;
      };
      assert.deepEqual(Object.keys(importMap.imports).sort(), ['htm', 'preact', 'preact/hooks', 'uplot']);
      // The page allows its one inline script by hash and loads nothing from another origin.
      const csp = String(page.headers['content-security-policy']);
      const inline = /<script type="importmap">(.+?)<\/script>/.exec(page.body)?.[1] ?? '';
      assert.ok(csp.includes(`'sha256-${createHash('sha256').update(inline).digest('base64')}'`), csp);
      assert.match(csp, /default-src 'self'/);
      assert.doesNotMatch(page.body, /https?:\/\//, 'no URL of another origin in the page');

      for (const url of Object.values(importMap.imports)) {
        assert.match(url, /^\/ui\/vendor\/[a-z]+@\d+\.\d+\.\d+\//);
        const file = await api.app.inject({ method: 'GET', url });
        assert.equal(file.statusCode, 200, url);
        assert.match(String(file.headers['content-type']), /text\/javascript/);
        assert.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable');
      }
      const app = await api.app.inject({ method: 'GET', url: '/ui/app/main.js' });
      assert.equal(app.statusCode, 200);
      assert.equal(app.headers['cache-control'], 'no-cache');
      const again = await api.app.inject({
        method: 'GET',
        url: '/ui/app/main.js',
        headers: { 'if-none-match': String(app.headers.etag) },
      });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');

      for (const url of ['/ui/', '/ui/sign-in', '/ui/releases/us-east-1.pay.live.abc'])
        assert.equal((await api.app.inject({ method: 'GET', url })).body, page.body, url);
      const missing = await api.app.inject({ method: 'GET', url: '/ui/app/../../package.json' });
      assert.equal(missing.statusCode, 404);
      assert.equal(JSON.parse(missing.body).error.type, 'NotFound');
    });
  });

  test('GET /v1/me names the token, its scopes and functions; no token is a 401; an open API says it is open', async () => {
    const auth = loadAuthConfig({ adminToken: 'admin-token-0123456789', tokensFile: tokensFile() });
    await withApiStack({ auth }, async (api) => {
      const viewer = await api.call('GET', '/v1/me', { token: 'viewer-token-0123456789' });
      assert.equal(viewer.status, 200);
      assert.deepEqual(viewer.json, {
        name: 'viewer',
        scopes: ['read'],
        functions: ['pay-*'],
        may: { read: true, release: false, operate: false },
        isOpen: false,
      });
      const admin = await api.call('GET', '/v1/me', { token: 'admin-token-0123456789' });
      assert.deepEqual(admin.json.may, { read: true, release: true, operate: true });
      const anonymous = await api.call('GET', '/v1/me');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.json.error?.type, 'Unauthorized');
      const wrong = await api.call('GET', '/v1/me', { token: 'not-a-token-0123456789' });
      assert.equal(wrong.status, 401);
      // The page itself needs no token: it asks for one.
      assert.equal((await api.app.inject({ method: 'GET', url: '/ui' })).statusCode, 200);
    });
    await withApiStack({}, async (api) => {
      const open = await api.call('GET', '/v1/me');
      assert.equal(open.status, 200);
      assert.equal(open.json.isOpen, true);
      assert.deepEqual(open.json.may, { read: true, release: true, operate: true });
    });
  });
});
