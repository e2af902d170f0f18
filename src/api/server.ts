import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseReleaseId } from '../domain/release-id.ts';
import { maxZipBytes } from '../domain/spec.ts';
import { apiRequestDuration, metricsRegistry } from '../observability/metrics.ts';
import type { ReleaseClient } from '../releases/release-client.ts';
import { apiErrors, type CountReleases, createReleaseCounts } from './api-metrics.ts';
import { type AuditEntry, auditEntryOf } from './audit.ts';
import { type AuthConfig, authenticate, authorize } from './auth.ts';
import { describeUnexpected, sendError, statusOf } from './error-status.ts';
import { type ApiLogger, jsonLineLogger } from './logger.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { registerReleaseRoutes } from './release-routes.ts';
import { accessOf, contextOf } from './request-context.ts';
import { registerUiRoutes } from './ui-routes.ts';

export type { AuditEntry } from './audit.ts';

export interface ApiDeps {
  releases: Pick<ReleaseClient, 'start' | 'status' | 'control' | 'list'>;
  auth: AuthConfig;
  /** Temporal reachable? Answers /readyz; bounded by a timeout here. */
  isReady: () => Promise<boolean>;
  /** Structured log for audit lines (unless `audit` is given) and for unexpected errors. JSON lines by default. */
  logger?: ApiLogger;
  /** Where audit entries go; by default `logger.info({ audit: true, ...entry }, 'audit')`. */
  audit?: (entry: AuditEntry) => void;
  /** Counts releases in Temporal's visibility, for the by-outcome figures on /metrics. */
  countReleases?: CountReleases;
  /** The URL callers reach the API at (behind a proxy); links are built from the request's Host otherwise. */
  publicUrl?: string;
  /** How often the SSE stream polls a release's status. */
  eventPollMs?: number;
  /** How long an unchanged SSE stream waits before a heartbeat comment. */
  heartbeatMs?: number;
}

// A 50 MiB zip grows by a third in base64; leave room for the rest of the spec.
export const bodyLimitBytes = Math.ceil((maxZipBytes * 4) / 3) + 1024 * 1024;
const readyTimeoutMs = 3000;

/** The API as a Fastify instance, not listening: `inject` drives it in tests, `startApi` listens. */
export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    logger: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 4096 },
  });
  const logger = deps.logger ?? jsonLineLogger();
  const audit = deps.audit ?? ((entry: AuditEntry) => logger.info({ audit: true, ...entry }, 'audit'));
  const openStreams = new Set<() => void>();

  // JSON bodies are optional on control routes: an empty body with a JSON content type is "no body", not an
  // error. Everything else goes through Fastify's own parser (which refuses __proto__ and constructor keys).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    parseJson(request, String(body), done);
  });

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(
        reply,
        'PayloadTooLarge',
        `request body over ${bodyLimitBytes} bytes; a zip over Lambda's 50 MB direct-upload limit belongs in S3 (code.s3Bucket, code.s3Key)`,
      );
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendError(reply, 'UnsupportedMediaType', 'send the body as application/json');
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, 'BadRequest', `malformed request: ${error.message}`);
    }
    const described = describeUnexpected(error);
    if (statusOf(described.type) >= 500) {
      logger.error(
        {
          requestId: request.id,
          route: request.routeOptions.url ?? request.url.split('?')[0],
          errorName: error.name,
          error: error.message,
          stack: error.stack,
        },
        'request failed',
      );
    }
    return sendError(reply, described.type, described.message, { ...described.details });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NotFound', `no route ${request.method} ${request.url.split('?')[0]}`),
  );

  // Authentication and scope run before the body is read, so an anonymous caller cannot make the server
  // parse 70 MB. A release id in the path names its function, so its pattern is checked here too; the
  // function of a new release is checked once the body is validated.
  app.addHook('onRequest', async (request, reply) => {
    const { scope } = accessOf(request);
    if (!scope) return;
    const context = contextOf(request);
    // The release id goes into the context first, so even an anonymous attempt's audit line names it.
    const id = (request.params as { id?: string } | undefined)?.id;
    const parsed = id === undefined ? undefined : parseReleaseId(id);
    if (parsed && id !== undefined) {
      context.releaseId = id;
      context.functionName = parsed.functionShortName;
    }
    const authenticated = authenticate(deps.auth, request.headers.authorization);
    if (!authenticated.ok) {
      reply.header(
        'WWW-Authenticate',
        request.headers.authorization ? 'Bearer realm="ramp", error="invalid_token"' : 'Bearer realm="ramp"',
      );
      return sendError(reply, authenticated.type, authenticated.message);
    }
    context.principal = authenticated.principal;
    const allowed = authorize(authenticated.principal, scope, parsed?.functionShortName);
    if (!allowed.ok) return sendError(reply, allowed.type, allowed.message);
    if (id !== undefined && !parsed) {
      return sendError(
        reply,
        'ReleaseNotFound',
        `no release ${id.slice(0, 200)}: ids look like <region>.<function>.<alias>.<runId>`,
      );
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const context = contextOf(request);
    apiRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    if (context.errorType) apiErrors.inc({ type: context.errorType, status: String(reply.statusCode) });
    const { action } = accessOf(request);
    if (action) audit(auditEntryOf(request, reply, action, context));
  });

  // Open event streams would hold a graceful close until their releases end (hours); end them instead.
  app.addHook('preClose', async () => {
    for (const stop of [...openStreams]) stop();
  });

  const document = buildOpenApiDocument(deps.publicUrl);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const releaseCounts = deps.countReleases ? createReleaseCounts(deps.countReleases) : undefined;
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const isReady = await Promise.race([
      deps.isReady().catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), readyTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return reply
      .code(isReady ? 200 : 503)
      .send({ ready: isReady, temporal: isReady ? 'reachable' : 'unreachable' });
  });
  app.get('/metrics', async (_request, reply) => {
    const shared = await metricsRegistry.metrics();
    const counts = releaseCounts ? await releaseCounts.metrics() : '';
    return reply.type(metricsRegistry.contentType).send(`${shared}${counts ? `\n${counts}` : ''}`);
  });
  app.get('/openapi.json', async () => document);

  registerReleaseRoutes(app, {
    releases: deps.releases,
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    eventPollMs: deps.eventPollMs ?? 500,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
    openStreams,
  });
  await registerUiRoutes(app, { auth: deps.auth });
  return app;
}
