import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AuthConfig, authenticate, hasScope } from './auth.ts';
import { ApiError, ApiErrorType, unauthenticated } from './error-status.ts';

/**
 * The dashboard at `/ui`: a few ES modules from src/ui and the vendor libraries' browser builds straight
 * from node_modules, wired with an import map. Nothing is built, so `npm ci && npm start` serves it, and
 * nothing is fetched from the network at run time. Vendor files live under a versioned path and are cached
 * as immutable; the app's own files are revalidated by ETag. The browser talks to the same `/v1` API with
 * the same bearer token, and `GET /v1/me` tells it what that token may do.
 */
export interface UiRouteOptions {
  auth: AuthConfig;
}

const root = resolve(import.meta.dirname, '../..');
const appDir = join(root, 'src/ui');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  isImmutable: boolean;
}

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

function assetOf(body: Buffer, name: string, isImmutable: boolean): Asset {
  const extension = name.slice(name.lastIndexOf('.'));
  return {
    body,
    type: types[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    isImmutable,
  };
}

function versionOf(pkg: string): string {
  return (
    JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/** Browser-ready ESM builds of the pinned dependencies, by the bare specifier the app imports them with. */
function vendorFiles(): { specifier: string | undefined; url: string; file: string }[] {
  const preact = `/ui/vendor/preact@${versionOf('preact')}`;
  const htm = `/ui/vendor/htm@${versionOf('htm')}`;
  const uplot = `/ui/vendor/uplot@${versionOf('uplot')}`;
  const modules = join(root, 'node_modules');
  return [
    { specifier: 'preact', url: `${preact}/preact.mjs`, file: join(modules, 'preact/dist/preact.mjs') },
    {
      specifier: 'preact/hooks',
      url: `${preact}/hooks.mjs`,
      file: join(modules, 'preact/hooks/dist/hooks.mjs'),
    },
    { specifier: 'htm', url: `${htm}/htm.mjs`, file: join(modules, 'htm/dist/htm.mjs') },
    { specifier: 'uplot', url: `${uplot}/uPlot.esm.js`, file: join(modules, 'uplot/dist/uPlot.esm.js') },
    { specifier: undefined, url: `${uplot}/uPlot.min.css`, file: join(modules, 'uplot/dist/uPlot.min.css') },
  ];
}

/** Every asset by URL, read once at start: the set is small and fixed, and no path from a request reaches the disk. */
function loadAssets(): { assets: Map<string, Asset>; page: Asset; csp: string } {
  const assets = new Map<string, Asset>();
  const vendor = vendorFiles();
  for (const { url, file } of vendor) assets.set(url, assetOf(readFileSync(file), file, true));
  for (const name of readdirSync(appDir)) {
    if (name.endsWith('.js') || name.endsWith('.css'))
      assets.set(`/ui/app/${name}`, assetOf(readFileSync(join(appDir, name)), name, false));
  }
  const importMap = JSON.stringify({
    imports: Object.fromEntries(
      vendor.flatMap(({ specifier, url }) => (specifier ? [[specifier, url]] : [])),
    ),
  });
  const uplotCss = vendor.find((v) => v.url.endsWith('.css'))?.url ?? '';
  const html = readFileSync(join(appDir, 'index.html'), 'utf8')
    .replace('<script type="importmap">{}</script>', `<script type="importmap">${importMap}</script>`)
    .replace('{{uplotCss}}', uplotCss);
  // The import map is the only inline script: allow exactly it by its hash, and nothing from elsewhere.
  const importMapHash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${importMapHash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return { assets, page: assetOf(Buffer.from(html), 'index.html', false), csp };
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', asset.isImmutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

const meSchema = z.object({
  name: z.string(),
  scopes: z.array(z.string()),
  functions: z.array(z.string()),
  may: z.object({ read: z.boolean(), release: z.boolean(), operate: z.boolean() }),
  isOpen: z.boolean().describe('True when the API runs without tokens (loopback only).'),
});

export async function registerUiRoutes(app: FastifyInstance, options: UiRouteOptions): Promise<void> {
  const { assets, page, csp } = loadAssets();

  // The pages are one document; the app routes on the path.
  const sendPage = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-security-policy', csp).header('referrer-policy', 'no-referrer');
    return send(request, reply, page);
  };
  // The dashboard's pages and files are not API: they stay out of the OpenAPI document.
  const notApi = { schema: { hide: true } };
  app.get('/ui', notApi, sendPage);
  app.get('/ui/', notApi, sendPage);
  app.get('/ui/sign-in', notApi, sendPage);
  app.get('/ui/releases/:id', notApi, sendPage);
  app.get('/ui/trains/:id', notApi, sendPage);
  app.get('/ui/*', notApi, async (request, reply) => {
    const asset = assets.get(request.url.split('?')[0] ?? '');
    if (!asset) throw new ApiError(ApiErrorType.NotFound, `no dashboard file ${request.url.split('?')[0]}`);
    return send(request, reply, asset);
  });

  // Who the bearer token is and what it may do, so the dashboard can disable what the token cannot do
  // instead of letting a click fail. Any valid token may ask; no scope is needed to learn one's own.
  app.get(
    '/v1/me',
    {
      schema: {
        summary: 'Who this token is and what it may do',
        description:
          'Any valid token may ask (no scope needed). The dashboard uses it to disable what the token cannot do.',
        response: { 200: meSchema },
      },
    },
    async (request) => {
      const authenticated = authenticate(options.auth, request.headers.authorization);
      if (!authenticated.ok) {
        throw unauthenticated(authenticated, request.headers.authorization);
      }
      const { principal } = authenticated;
      return {
        name: principal.name,
        scopes: principal.scopes,
        functions: principal.functions,
        may: {
          read: hasScope(principal, 'read'),
          release: hasScope(principal, 'release'),
          operate: hasScope(principal, 'operate'),
        },
        isOpen: options.auth.isOpen,
      };
    },
  );
}
