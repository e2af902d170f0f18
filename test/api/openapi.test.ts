import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { createApiServer } from '../../src/api/server.ts';
import { withApiStack } from '../helpers/api-stack.ts';

type Paths = Record<string, Record<string, { responses: Record<string, unknown> }>>;

test('every path in the OpenAPI document is a route the server answers, and every /v1 route is documented', async () => {
  await withApiStack({}, async (api) => {
    const document = (await api.call('GET', '/openapi.json')).json as unknown as { paths: Paths };
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, ':$1'),
      })),
    );
    for (const route of documented) {
      assert.ok(api.app.hasRoute(route as { method: 'GET'; url: string }), `${route.method} ${route.url}`);
    }
    const v1Routes = [
      'POST /v1/releases',
      'GET /v1/releases',
      'GET /v1/releases/:id',
      'GET /v1/releases/:id/events',
      'GET /v1/me',
    ];
    for (const action of ['pause', 'resume', 'approve', 'promote', 'abort'])
      v1Routes.push(`POST /v1/releases/:id/${action}`);
    v1Routes.push(
      'POST /v1/trains',
      'GET /v1/trains',
      'GET /v1/trains/:trainId',
      'GET /v1/trains/:trainId/events',
    );
    for (const action of ['pause', 'resume', 'approve', 'abort'])
      v1Routes.push(`POST /v1/trains/:trainId/${action}`);
    assert.deepEqual(
      documented
        .filter((route) => route.url.startsWith('/v1/'))
        .map((route) => `${route.method} ${route.url}`)
        .sort(),
      v1Routes.sort(),
    );
  });
});

test('the request body schema is the release spec schema: its fields, required ones, and no unknown fields', async () => {
  // The document is generated from the routes' schemas; no route is called, so no release client is needed.
  const app = await createApiServer({
    releases: {} as never,
    auth: loadAuthConfig({}),
    isReady: async () => true,
    publicUrl: 'https://ramp.example.com',
  });
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    openapi: string;
    servers: { url: string }[];
    components: {
      schemas: {
        ReleaseSpec: {
          properties: Record<string, unknown>;
          required: string[];
          additionalProperties: unknown;
        };
      };
    };
  };
  const spec = document.components.schemas.ReleaseSpec;
  assert.equal(document.openapi, '3.1.0');
  assert.deepEqual(document.servers, [{ url: 'https://ramp.example.com' }]);
  // `code` or `version` (exactly one, checked by the schema's refinement): neither is required alone.
  assert.deepEqual([...spec.required].sort(), ['alias', 'function']);
  for (const field of [
    'function',
    'alias',
    'code',
    'version',
    'strategy',
    'health',
    'approvalTimeout',
    'region',
  ])
    assert.ok(field in spec.properties, field);
  assert.equal(spec.additionalProperties, false);
  await app.close();
});
