import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  createJsonSchemaTransform,
  createJsonSchemaTransformObject,
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { NotifyTarget } from '../domain/notifications.ts';
import { parseReleaseId } from '../domain/release-id.ts';
import { formatSpecProblems, maxZipBytes, problemsOf } from '../domain/spec.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { apiRequestDuration, metricsRegistry } from '../observability/metrics.ts';
import type { ReleaseClient } from '../releases/release-client.ts';
import { apiErrors, type CountReleases, createReleaseCounts } from './api-metrics.ts';
import { type AuditEntry, auditEntryOf } from './audit.ts';
import { type AuthConfig, authenticate, authorize } from './auth.ts';
import { type CodecRouteDeps, registerCodecRoutes } from './codec-routes.ts';
import {
  ApiError,
  type ApiErrorBody,
  ApiErrorType,
  describeUnexpected,
  statusOf,
  unauthenticated,
} from './error-status.ts';
import { tidyComponents } from './openapi-document.ts';
import { registerReleaseRoutes } from './release-routes.ts';
import { accessOf, contextOf, type ValidationPart } from './request-context.ts';
import { apiSchemaRegistry, readinessSchema } from './schemas.ts';
import { registerTrainRoutes, type TrainRouteDeps } from './train-routes.ts';
import { registerUiRoutes } from './ui-routes.ts';

export type { AuditEntry } from './audit.ts';

export interface ApiDeps {
  releases: Pick<ReleaseClient, 'start' | 'status' | 'control' | 'list'>;
  /** Release trains (`/v1/trains…`); the routes exist only when given. */
  trains?: TrainRouteDeps['trains'];
  auth: AuthConfig;
  /** Temporal reachable? Answers /readyz; bounded by a timeout here. */
  isReady: () => Promise<boolean>;
  /** Ramp's pino logger: audit lines (unless `audit` is given), refused requests, unexpected errors. */
  logger?: Logger;
  /** Where audit entries go; by default `logger.info({ audit: true, ...entry }, 'audit')`. */
  audit?: (entry: AuditEntry) => void;
  /** Counts releases in Temporal's visibility, for the by-outcome figures on /metrics. */
  countReleases?: CountReleases;
  /** The URL callers reach the API at (behind a proxy); links are built from the request's Host otherwise. */
  publicUrl?: string;
  /** Notification targets every release started through this API is told about, after its own (`RAMP_NOTIFY_FILE`). */
  notifyDefaults?: NotifyTarget[];
  /** How often the SSE stream polls a release's status. */
  eventPollMs?: number;
  /** How long an unchanged SSE stream waits before a heartbeat comment. */
  heartbeatMs?: number;
  /**
   * More routes (the web dashboard's `/ui`, …), registered as Fastify plugins after the API's own, under
   * the same auth hook (a route's `config.scope` asks for a token) and the same error handler.
   */
  plugins?: FastifyPluginAsync[];
  /** Requests per token (per address for anonymous callers) per window; `max: 0` turns the limit off. */
  rateLimit?: { max: number; windowMs: number };
  /** The payload codec (RAMP_PAYLOAD_KEYS) served on `/codec/*` for the Temporal UI; no routes when absent. */
  codec?: CodecRouteDeps;
}

/** Generous: CI pipelines and dashboards polling a few releases stay far below it. */
export const defaultRateLimit = { max: 1200, windowMs: 60_000 };

// A 50 MiB zip grows by a third in base64; leave room for the rest of the spec.
export const bodyLimitBytes = Math.ceil((maxZipBytes * 4) / 3) + 1024 * 1024;
const readyTimeoutMs = 3000;

const defaultInvalidMessage: Record<ValidationPart, string> = {
  body: 'invalid body',
  querystring: 'invalid query',
  headers: 'invalid headers',
  params: 'invalid path',
};

/** Rebuilds zod issues from Fastify's validation entries, so a failed union reports its closest branch. */
function problemsOfValidation(
  validation: { instancePath: string; message?: string; keyword: string; params: object }[],
) {
  const issues = validation.map(
    (entry) =>
      ({
        ...entry.params,
        code: entry.keyword,
        path: entry.instancePath === '/' ? [] : entry.instancePath.slice(1).split('/'),
        message: entry.message ?? 'invalid',
      }) as unknown as z.core.$ZodIssue,
  );
  return problemsOf(issues);
}

/** The API as a Fastify instance, not listening: `inject` drives it in tests, `startApi` listens. */
export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    logger: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 4096 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const logger = deps.logger ?? createLogger({ level: 'info' });
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

  /** The one place an error becomes an answer: `{ error: { type, message, problems? } }`. */
  function errorOf(error: FastifyError, request: Parameters<Parameters<typeof app.setErrorHandler>[0]>[1]) {
    if (error instanceof ApiError) return error;
    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = (error.validationContext ?? 'body') as ValidationPart;
      if (part === 'body' && (request.body === undefined || request.body === null)) {
        return new ApiError(ApiErrorType.BadRequest, 'the body is empty; send it as JSON');
      }
      const problems = problemsOfValidation(error.validation);
      const rule = accessOf(request).invalidInput?.[part];
      return new ApiError(
        rule?.type ?? ApiErrorType.BadRequest,
        `${rule?.message ?? defaultInvalidMessage[part]}: ${formatSpecProblems(problems)}`,
        { problems },
      );
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return new ApiError(
        ApiErrorType.PayloadTooLarge,
        `request body over ${bodyLimitBytes} bytes; a zip over Lambda's 50 MB direct-upload limit belongs in S3 (code.s3Bucket, code.s3Key)`,
      );
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return new ApiError(ApiErrorType.UnsupportedMediaType, 'send the body as application/json');
    if (error.statusCode === 429) {
      return new ApiError(ApiErrorType.TooManyRequests, error.message);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return new ApiError(ApiErrorType.BadRequest, `malformed request: ${error.message}`);
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
    return new ApiError(described.type as ApiErrorType, described.message, described.details ?? {});
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = errorOf(error, request);
    contextOf(request).errorType = answer.type;
    const status = statusOf(answer.type);
    // Expected outcomes (a conflict, a bad zip, a refused token) are one line with their type and message.
    if (status < 500) {
      logger.info(
        {
          requestId: request.id,
          route: request.routeOptions.url,
          status,
          type: answer.type,
          message: answer.message,
        },
        'request refused',
      );
    }
    const body: ApiErrorBody = { error: { type: answer.type, message: answer.message, ...answer.details } };
    return reply.code(status).headers(answer.headers).type('application/json').send(body);
  });
  app.setNotFoundHandler((request) => {
    throw new ApiError(ApiErrorType.NotFound, `no route ${request.method} ${request.url.split('?')[0]}`);
  });

  // Authentication and scope run before the body is read, so an anonymous caller cannot make the server
  // parse 70 MB. A release id in the path names its function, so its pattern is checked here too; the
  // function of a new release is checked once the body is validated.
  app.addHook('onRequest', async (request) => {
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
      throw unauthenticated(authenticated, request.headers.authorization);
    }
    context.principal = authenticated.principal;
    const allowed = authorize(authenticated.principal, scope, parsed?.functionShortName);
    if (!allowed.ok) throw new ApiError(allowed.type, allowed.message);
    if (id !== undefined && !parsed) {
      throw new ApiError(
        ApiErrorType.ReleaseNotFound,
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
  // A request whose client went away still has its Temporal call running (a status query can take
  // seconds); close waits for those calls, each bounded by its own deadline, so none outlives the API
  // and meets a connection its owner is closing.
  const releases = trackedReleaseCalls(deps.releases);
  app.addHook('onClose', async () => {
    await releases.drain();
  });

  // Per token, not per address: many pipelines share a NAT, and one token's loop must not starve the others.
  // Counted after authentication (preHandler), so the token is known; health and metrics are not limited.
  const limit = deps.rateLimit ?? defaultRateLimit;
  if (limit.max > 0) {
    await app.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (request) => {
        const principal = contextOf(request).principal;
        return principal ? `token:${principal.name}` : `address:${request.ip}`;
      },
      errorResponseBuilder: (request, context) =>
        new ApiError(
          ApiErrorType.TooManyRequests,
          `rate limit of ${context.max} requests per ${Math.round(limit.windowMs / 1000)} s reached for ${
            contextOf(request).principal ? `token "${contextOf(request).principal?.name}"` : 'this address'
          }; retry in ${context.after}`,
        ),
    });
  }

  // Dynamic mode: the document is generated from the routes' own zod schemas.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ramp release API',
        version: '1',
        description: 'Durable, guarded Lambda releases on Temporal.',
      },
      ...(deps.publicUrl ? { servers: [{ url: deps.publicUrl }] } : {}),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: createJsonSchemaTransform({ schemaRegistry: apiSchemaRegistry }),
    transformObject: tidyComponents(createJsonSchemaTransformObject({ schemaRegistry: apiSchemaRegistry })),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const releaseCounts = deps.countReleases ? createReleaseCounts(deps.countReleases) : undefined;
  app.get('/healthz', { schema: { summary: 'Liveness' }, config: { rateLimit: false } }, async () => ({
    ok: true,
  }));
  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Readiness (Temporal reachable)',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
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
    },
  );
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text/plain)' }, config: { rateLimit: false } },
    async (_request, reply) => {
      const shared = await metricsRegistry.metrics();
      const counts = releaseCounts ? await releaseCounts.metrics() : '';
      return reply.type(metricsRegistry.contentType).send(`${shared}${counts ? `\n${counts}` : ''}`);
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    registerReleaseRoutes({
      releases: releases.client,
      ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
      ...(deps.notifyDefaults ? { notifyDefaults: deps.notifyDefaults } : {}),
      eventPollMs: deps.eventPollMs ?? 500,
      heartbeatMs: deps.heartbeatMs ?? 15_000,
      openStreams,
    }),
  );
  if (deps.trains) {
    await app.register(
      registerTrainRoutes({
        trains: deps.trains,
        ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
        eventPollMs: deps.eventPollMs ?? 500,
        heartbeatMs: deps.heartbeatMs ?? 15_000,
        openStreams,
        ...(deps.notifyDefaults ? { notifyDefaults: deps.notifyDefaults } : {}),
      }),
    );
  }
  if (deps.codec) await app.register(registerCodecRoutes(deps.codec));
  await registerUiRoutes(app, { auth: deps.auth });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}

/** The release client's calls, each tracked until it settles, so closing can wait for the ones in flight. */
function trackedReleaseCalls(releases: ApiDeps['releases']): {
  client: ApiDeps['releases'];
  drain: () => Promise<void>;
} {
  const inFlight = new Set<Promise<unknown>>();
  const track = <R>(running: Promise<R>): Promise<R> => {
    inFlight.add(running);
    const settled = () => inFlight.delete(running);
    running.then(settled, settled);
    return running;
  };
  return {
    client: {
      start: (...args) => track(releases.start(...args)),
      status: (...args) => track(releases.status(...args)),
      control: (...args) => track(releases.control(...args)),
      list: (...args) => track(releases.list(...args)),
    },
    drain: async () => {
      await Promise.allSettled([...inFlight]);
    },
  };
}
