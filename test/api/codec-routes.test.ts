import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { createApiServer } from '../../src/api/server.ts';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec.ts';

// The codec routes touch no release, so no release client or Temporal is needed here; the whole path, with
// the Temporal CLI calling the endpoint, is in test/integration/payload-encryption.test.ts.
async function apiWithCodec(options: { codec: boolean }) {
  return createApiServer({
    releases: {} as never,
    auth: loadAuthConfig({ adminToken: 'admin-token-0123456789' }),
    isReady: async () => true,
    ...(options.codec
      ? {
          codec: {
            codec: new AesGcmPayloadCodec({ activeKeyId: 'k', keys: new Map([['k', randomBytes(32)]]) }),
            corsOrigins: ['https://temporal.example.com'],
          },
        }
      : {}),
  });
}

test('with RAMP_PAYLOAD_KEYS the OpenAPI document lists POST /codec/encode and /codec/decode, with bearer auth', async () => {
  const app = await apiWithCodec({ codec: true });
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
  };
  for (const path of ['/codec/encode', '/codec/decode']) {
    assert.ok(document.paths[path]?.post, `${path} is documented`);
    assert.deepEqual(document.paths[path]?.post?.security, [{ bearer: [] }]);
    assert.ok(document.paths[path]?.post?.requestBody);
  }
  const plain = defaultPayloadConverter.toPayload({ hook: 'https://hooks.example.com/x' });
  const body = {
    payloads: [
      {
        metadata: { encoding: Buffer.from(plain.metadata?.encoding ?? []).toString('base64') },
        data: Buffer.from(plain.data ?? []).toString('base64'),
      },
    ],
  };
  const headers = { authorization: 'Bearer admin-token-0123456789' };
  const sealed = await app.inject({ method: 'POST', url: '/codec/encode', headers, payload: body });
  assert.equal(sealed.statusCode, 200);
  const opened = await app.inject({ method: 'POST', url: '/codec/decode', headers, payload: sealed.json() });
  assert.deepEqual(opened.json(), body);
  const malformed = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers,
    payload: { payloads: [{ data: 'not base64!' }] },
  });
  assert.equal(malformed.statusCode, 400);
});

test('without payload keys there is no codec endpoint', async () => {
  const app = await apiWithCodec({ codec: false });
  const answer = await app.inject({
    method: 'POST',
    url: '/codec/decode',
    headers: { authorization: 'Bearer admin-token-0123456789' },
    payload: { payloads: [] },
  });
  assert.equal(answer.statusCode, 404);
});
