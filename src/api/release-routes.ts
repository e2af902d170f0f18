import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { aliasNameRule, isValidAliasName, parseFunctionRef } from '../domain/lambda-names.ts';
import { controlActions } from '../domain/release-state.ts';
import { releaseOutcomes } from '../domain/release-status.ts';
import { formatSpecProblems, type SpecProblem, validateReleaseSpec } from '../domain/spec.ts';
import { releasesStarted } from '../observability/metrics.ts';
import type { ReleaseClient } from '../releases/release-client.ts';
import { authorize, mayActOnFunction, type Principal } from './auth.ts';
import { describeUnexpected, sendError } from './error-status.ts';
import { streamReleaseEvents } from './events.ts';
import { pageTokenPattern, unwrapPageToken, wrapPageToken } from './page-token.ts';
import { contextOf, type RouteAccess } from './request-context.ts';

export interface ReleaseRouteDeps {
  releases: Pick<ReleaseClient, 'start' | 'status' | 'control' | 'list'>;
  publicUrl?: string;
  eventPollMs: number;
  heartbeatMs: number;
  openStreams: Set<() => void>;
}

const listQuerySchema = z.strictObject({
  function: z
    .string()
    .max(140)
    .refine((value) => parseFunctionRef(value).ok, 'not a Lambda function name or ARN')
    .optional(),
  alias: z.string().refine(isValidAliasName, aliasNameRule).optional(),
  outcome: z.enum(releaseOutcomes).optional(),
  running: z.enum(['true', 'false']).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  pageToken: z.string().max(2000).regex(pageTokenPattern, 'not a nextPageToken this API returned').optional(),
});
const controlBodySchema = z.strictObject({ reason: z.string().max(500).optional() }).optional();
const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{1,200}$/, '1 to 200 characters of A-Z a-z 0-9 . _ : / -');

function problemsOf(error: z.ZodError, prefix = ''): SpecProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** The caller, as the onRequest hook authenticated it; every route here has a scope, so there is one. */
function principalOf(request: FastifyRequest): Principal {
  const principal = contextOf(request).principal;
  if (!principal) throw new Error(`route ${request.routeOptions.url} ran without authentication`);
  return principal;
}

/** The release id of an `/:id` route, checked and authorized by the onRequest hook. */
function releaseIdOf(request: FastifyRequest): string {
  const id = contextOf(request).releaseId;
  if (!id) throw new Error(`route ${request.routeOptions.url} ran without a release id`);
  return id;
}

export function registerReleaseRoutes(app: FastifyInstance, deps: ReleaseRouteDeps): void {
  const base = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;
  const linksOf = (request: FastifyRequest, id: string) => {
    const self = `${base(request)}/v1/releases/${id}`;
    return {
      self,
      events: `${self}/events`,
      ...Object.fromEntries(controlActions.map((action) => [action, `${self}/${action}`])),
    };
  };

  app.post(
    '/v1/releases',
    { config: { scope: 'release', action: 'start' } satisfies RouteAccess },
    async (request, reply) => {
      const context = contextOf(request);
      const principal = principalOf(request);
      if (request.body === undefined)
        return sendError(reply, 'BadRequest', 'the body is empty; send the release spec as JSON');
      const result = validateReleaseSpec(request.body);
      if (!result.ok) {
        return sendError(
          reply,
          'InvalidSpec',
          `invalid release spec: ${formatSpecProblems(result.problems)}`,
          {
            problems: result.problems,
          },
        );
      }
      const ref = parseFunctionRef(result.spec.function);
      const functionName = ref.ok ? ref.value.name : result.spec.function;
      context.functionName = functionName;
      const allowed = authorize(principal, 'release', functionName);
      if (!allowed.ok) return sendError(reply, allowed.type, allowed.message);

      const keyHeader = request.headers['idempotency-key'];
      let idempotencyKey: string | undefined;
      if (keyHeader !== undefined) {
        const key = idempotencyKeySchema.safeParse(keyHeader);
        if (!key.success) {
          return sendError(reply, 'BadRequest', 'invalid Idempotency-Key header', {
            problems: problemsOf(key.error, 'Idempotency-Key'),
          });
        }
        idempotencyKey = key.data;
      }
      const started = await deps.releases.start(result.spec, {
        requestedBy: principal.name,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });
      context.releaseId = started.releaseId;
      context.isReplay = started.isExisting;
      if (!started.isExisting) releasesStarted.inc();
      const body = { id: started.releaseId, links: linksOf(request, started.releaseId) };
      return reply
        .code(started.isExisting ? 200 : 202)
        .header('Location', body.links.self)
        .send(body);
    },
  );

  app.get('/v1/releases', { config: { scope: 'read' } satisfies RouteAccess }, async (request, reply) => {
    const principal = principalOf(request);
    const parsed = listQuerySchema.safeParse(request.query);
    if (!parsed.success) {
      return sendError(reply, 'BadRequest', 'invalid query', { problems: problemsOf(parsed.error) });
    }
    const query = parsed.data;
    const ref = query.function ? parseFunctionRef(query.function) : undefined;
    const functionName = ref?.ok ? ref.value.name : undefined;
    if (functionName) {
      const allowed = authorize(principal, 'read', functionName);
      if (!allowed.ok) return sendError(reply, allowed.type, allowed.message);
    }
    const filters = JSON.stringify([functionName, query.alias, query.outcome, query.running]);
    const pageToken = query.pageToken ? unwrapPageToken(query.pageToken, filters) : undefined;
    if (query.pageToken && !pageToken) {
      return sendError(reply, 'BadRequest', 'invalid query', {
        problems: [
          { field: 'pageToken', message: 'not a nextPageToken this API returned for these filters' },
        ],
      });
    }
    let page: Awaited<ReturnType<ReleaseRouteDeps['releases']['list']>>;
    try {
      page = await deps.releases.list({
        ...(functionName ? { functionName } : {}),
        ...(query.alias ? { alias: query.alias } : {}),
        ...(query.outcome ? { outcome: query.outcome } : {}),
        ...(query.running ? { isRunning: query.running === 'true' } : {}),
        ...(query.pageSize ? { pageSize: query.pageSize } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
    } catch (error) {
      // A token that passed the checksum but that Temporal no longer accepts (expired, forged).
      if (pageToken && describeUnexpected(error).type !== 'Unavailable') {
        return sendError(reply, 'BadRequest', 'invalid query', {
          problems: [
            { field: 'pageToken', message: 'Temporal no longer accepts this page token; start over' },
          ],
        });
      }
      throw error;
    }
    // A token scoped to some functions sees only their releases.
    return {
      releases: page.releases.filter((release) => mayActOnFunction(principal, release.functionName)),
      nextPageToken: page.nextPageToken ? wrapPageToken(page.nextPageToken, filters) : null,
    };
  });

  app.get('/v1/releases/:id', { config: { scope: 'read' } satisfies RouteAccess }, async (request) =>
    deps.releases.status(releaseIdOf(request)),
  );

  app.get(
    '/v1/releases/:id/events',
    { config: { scope: 'read' } satisfies RouteAccess },
    async (request, reply) => {
      const id = releaseIdOf(request);
      // Read once before answering, so an unknown release is a 404 JSON answer, not an empty stream.
      const first = await deps.releases.status(id);
      await streamReleaseEvents(reply, {
        first,
        readStatus: () => deps.releases.status(id),
        pollMs: deps.eventPollMs,
        heartbeatMs: deps.heartbeatMs,
        openStreams: deps.openStreams,
      });
      return reply;
    },
  );

  for (const action of controlActions) {
    app.post(
      `/v1/releases/:id/${action}`,
      { config: { scope: 'operate', action } satisfies RouteAccess },
      async (request, reply) => {
        const body = controlBodySchema.safeParse(request.body);
        if (!body.success) {
          return sendError(reply, 'BadRequest', 'invalid body: send {} or {"reason": "..."}', {
            problems: problemsOf(body.error),
          });
        }
        return deps.releases.control(releaseIdOf(request), action, {
          by: principalOf(request).name,
          ...(body.data?.reason ? { reason: body.data.reason } : {}),
        });
      },
    );
  }
}
