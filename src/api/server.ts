import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseFunctionRef } from '../domain/lambda-names.ts';
import { parseReleaseId } from '../domain/release-id.ts';
import { type ControlAction, controlActions } from '../domain/release-state.ts';
import { releaseOutcomes } from '../domain/release-status.ts';
import { maxZipBytes, validateReleaseSpec } from '../domain/spec.ts';
import { apiRequestDuration, metricsRegistry, releasesStarted } from '../observability/metrics.ts';
import type { ReleaseClient } from '../releases/release-client.ts';
import { ReleaseClientError } from '../releases/release-errors.ts';
import {
  type AuthConfig,
  authenticate,
  authorize,
  mayActOnFunction,
  type Principal,
  type Scope,
} from './auth.ts';
import { sendError, statusOf } from './error-status.ts';
import { streamReleaseEvents } from './events.ts';
import { buildOpenApiDocument } from './openapi.ts';

export interface AuditEntry {
  at: string;
  token: string;
  action: string;
  releaseId?: string;
  functionName?: string;
  status: number;
}

export interface ApiDeps {
  releases: Pick<ReleaseClient, 'start' | 'status' | 'control' | 'list'>;
  auth: AuthConfig;
  isReady: () => Promise<boolean>;
  audit: (entry: AuditEntry) => void;
  publicUrl?: string;
  /** How often the SSE stream polls a release's status. */
  eventPollMs?: number;
}

// A 50 MiB zip grows by a third in base64; leave room for the rest of the spec.
const bodyLimitBytes = Math.ceil((maxZipBytes * 4) / 3) + 1024 * 1024;

const listQuerySchema = z.strictObject({
  function: z.string().min(1).max(140).optional(),
  alias: z.string().min(1).max(128).optional(),
  outcome: z.enum(releaseOutcomes).optional(),
  running: z.enum(['true', 'false']).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  pageToken: z.string().min(1).max(2000).optional(),
});
const controlBodySchema = z.strictObject({ reason: z.string().max(500).optional() }).optional();
const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{1,200}$/, 'Idempotency-Key: 1-200 characters of A-Z a-z 0-9 . _ : / -');

function problemsOf(error: z.ZodError) {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
}

function links(base: string, id: string) {
  const self = `${base}/v1/releases/${id}`;
  return {
    self,
    events: `${self}/events`,
    ...Object.fromEntries(controlActions.map((action) => [action, `${self}/${action}`])),
  };
}

export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: bodyLimitBytes,
    logger: false,
    return503OnClosing: true,
    maxParamLength: 4096,
  });
  const principals = new WeakMap<FastifyRequest, Principal>();

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
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
      return sendError(
        reply,
        'BadRequest',
        error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'the body is empty; send JSON'
          : `malformed request: ${error.message}`,
      );
    }
    if (error instanceof ReleaseClientError)
      return sendError(reply, error.type, error.message, error.details);
    // Temporal unreachable and the like: the caller can retry; nothing was started by a failed request.
    const isUnavailable = /UNAVAILABLE|ECONNREFUSED|deadline|connect/i.test(`${error.name} ${error.message}`);
    return sendError(
      reply,
      isUnavailable ? 'Unavailable' : 'Internal',
      isUnavailable ? 'Temporal is not reachable; retry later' : 'internal error',
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NotFound', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
  app.addHook('onResponse', async (request, reply) => {
    apiRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  const document = buildOpenApiDocument(deps.publicUrl);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  /** Authenticates and authorizes; answers 401/403 itself and returns undefined when refused. */
  const guard = (
    request: FastifyRequest,
    reply: FastifyReply,
    scope: Scope,
    functionName?: string,
  ): Principal | undefined => {
    let principal = principals.get(request);
    if (!principal) {
      const result = authenticate(deps.auth, request.headers.authorization);
      if (!result.ok) {
        reply.header('WWW-Authenticate', 'Bearer');
        sendError(reply, result.type, result.message);
        return undefined;
      }
      principal = result.principal;
      principals.set(request, principal);
    }
    const allowed = authorize(principal, scope, functionName);
    if (!allowed.ok) {
      sendError(reply, allowed.type, allowed.message);
      return undefined;
    }
    return principal;
  };

  const base = (request: FastifyRequest) =>
    deps.publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const isReady = await deps.isReady().catch(() => false);
    return reply
      .code(isReady ? 200 : 503)
      .send({ ready: isReady, temporal: isReady ? 'reachable' : 'unreachable' });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()),
  );
  app.get('/openapi.json', async () => document);

  app.post('/v1/releases', async (request, reply) => {
    if (!guard(request, reply, 'release')) return reply;
    const result = validateReleaseSpec(request.body);
    if (!result.ok)
      return sendError(reply, 'InvalidSpec', 'the release spec is invalid', { problems: result.problems });
    const functionName = parseFunctionRef(result.spec.function);
    const principal = guard(
      request,
      reply,
      'release',
      functionName.ok ? functionName.value.name : result.spec.function,
    );
    if (!principal) return reply;
    const keyHeader = request.headers['idempotency-key'];
    let idempotencyKey: string | undefined;
    if (keyHeader !== undefined) {
      const key = idempotencyKeySchema.safeParse(keyHeader);
      if (!key.success)
        return sendError(reply, 'BadRequest', key.error.issues[0]?.message ?? 'bad Idempotency-Key');
      idempotencyKey = key.data;
    }
    let started: Awaited<ReturnType<ApiDeps['releases']['start']>>;
    try {
      started = await deps.releases.start(result.spec, {
        requestedBy: principal.name,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
    } catch (error) {
      deps.audit({
        at: new Date().toISOString(),
        token: principal.name,
        action: 'start',
        functionName: result.spec.function,
        status: error instanceof ReleaseClientError ? statusOf(error.type) : 500,
      });
      throw error;
    }
    if (!started.isExisting) releasesStarted.inc();
    const status = started.isExisting ? 200 : 202;
    deps.audit({
      at: new Date().toISOString(),
      token: principal.name,
      action: started.isExisting ? 'start (idempotent replay)' : 'start',
      releaseId: started.releaseId,
      functionName: result.spec.function,
      status,
    });
    const body = { id: started.releaseId, links: links(base(request), started.releaseId) };
    return reply.code(status).header('Location', body.links.self).send(body);
  });

  app.get('/v1/releases', async (request, reply) => {
    const principal = guard(request, reply, 'read');
    if (!principal) return reply;
    const query = listQuerySchema.safeParse(request.query);
    if (!query.success)
      return sendError(reply, 'BadRequest', 'invalid query', { problems: problemsOf(query.error) });
    const q = query.data;
    const page = await deps.releases.list({
      ...(q.function ? { functionName: q.function } : {}),
      ...(q.alias ? { alias: q.alias } : {}),
      ...(q.outcome ? { outcome: q.outcome } : {}),
      ...(q.running ? { isRunning: q.running === 'true' } : {}),
      ...(q.pageSize ? { pageSize: q.pageSize } : {}),
      ...(q.pageToken ? { pageToken: q.pageToken } : {}),
    });
    // A token scoped to some functions sees only their releases.
    return {
      releases: page.releases.filter((r) => mayActOnFunction(principal, r.functionName)),
      nextPageToken: page.nextPageToken,
    };
  });

  const releaseOf = (request: FastifyRequest, reply: FastifyReply, scope: Scope) => {
    const id = (request.params as { id: string }).id;
    const parsed = parseReleaseId(id);
    if (!parsed) {
      // Authenticate first, so an anonymous caller learns nothing about ids.
      if (!guard(request, reply, scope)) return undefined;
      sendError(
        reply,
        'ReleaseNotFound',
        `no release ${id}: ids look like <region>.<function>.<alias>.<runId>`,
      );
      return undefined;
    }
    const principal = guard(request, reply, scope, parsed.functionShortName);
    return principal ? { id, principal } : undefined;
  };

  app.get('/v1/releases/:id', async (request, reply) => {
    const release = releaseOf(request, reply, 'read');
    if (!release) return reply;
    return deps.releases.status(release.id);
  });

  app.get('/v1/releases/:id/events', async (request, reply) => {
    const release = releaseOf(request, reply, 'read');
    if (!release) return reply;
    const first = await deps.releases.status(release.id);
    await streamReleaseEvents(
      request,
      reply,
      first,
      () => deps.releases.status(release.id),
      deps.eventPollMs ?? 500,
    );
    return reply;
  });

  for (const action of controlActions) {
    app.post(`/v1/releases/:id/${action}`, async (request, reply) => {
      const release = releaseOf(request, reply, 'operate');
      if (!release) return reply;
      const body = controlBodySchema.safeParse(request.body ?? undefined);
      if (!body.success)
        return sendError(reply, 'BadRequest', 'invalid body', { problems: problemsOf(body.error) });
      const audit = (status: number) =>
        deps.audit({
          at: new Date().toISOString(),
          token: release.principal.name,
          action: action as ControlAction,
          releaseId: release.id,
          status,
        });
      try {
        const status = await deps.releases.control(release.id, action, {
          by: release.principal.name,
          ...(body.data?.reason ? { reason: body.data.reason } : {}),
        });
        audit(200);
        return status;
      } catch (error) {
        audit(error instanceof ReleaseClientError ? statusOf(error.type) : 500);
        throw error;
      }
    });
  }
  return app;
}
