import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { releaseWarnings } from '../domain/health-checks.ts';
import { healthConfigOf } from '../domain/health-spec.ts';
import { parseFunctionRef } from '../domain/lambda-names.ts';
import type { NotifyTarget } from '../domain/notifications.ts';
import { planOf } from '../domain/release-plan.ts';
import { controlActions } from '../domain/release-state.ts';
import { releaseStatusSchema } from '../domain/release-status.ts';
import { releaseSpecSchema } from '../domain/spec.ts';
import { releasesStarted } from '../observability/metrics.ts';
import type { ReleaseClient } from '../releases/release-client.ts';
import { authorize, mayActOnFunction, type Principal } from './auth.ts';
import { ApiError, ApiErrorType, describeUnexpected } from './error-status.ts';
import { streamReleaseEvents } from './events.ts';
import { unwrapPageToken, wrapPageToken } from './page-token.ts';
import { contextOf, type RouteAccess } from './request-context.ts';
import {
  controlBodySchema,
  errorBodySchema,
  listQuerySchema,
  releaseIdParamsSchema,
  releasePageSchema,
  startedReleaseSchema,
  startHeadersSchema,
} from './schemas.ts';

export interface ReleaseRouteDeps {
  releases: Pick<ReleaseClient, 'start' | 'status' | 'control' | 'list'>;
  publicUrl?: string;
  /** Notification targets added to every release started here (`RAMP_NOTIFY_FILE`). */
  notifyDefaults?: NotifyTarget[];
  eventPollMs: number;
  heartbeatMs: number;
  openStreams: Set<() => void>;
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

const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503)[]) =>
  Object.fromEntries(codes.map((code) => [code, errorBodySchema]));
const security = [{ bearer: [] }];

/** `/v1/releases…`: start, list, read, follow and control releases. */
export function registerReleaseRoutes(deps: ReleaseRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
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
      {
        config: {
          scope: 'release',
          action: 'start',
          invalidInput: {
            body: { type: ApiErrorType.InvalidSpec, message: 'invalid release spec' },
            headers: { type: ApiErrorType.BadRequest, message: 'invalid Idempotency-Key header' },
          },
        } satisfies RouteAccess,
        schema: {
          summary: 'Start a release',
          security,
          headers: startHeadersSchema,
          body: releaseSpecSchema,
          response: {
            // 200: an earlier request with the same Idempotency-Key (and body) started this release.
            202: startedReleaseSchema,
            200: startedReleaseSchema,
            ...errors(400, 401, 403, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const context = contextOf(request);
        const principal = principalOf(request);
        const spec = request.body;
        const ref = parseFunctionRef(spec.function);
        const functionName = ref.ok ? ref.value.name : spec.function;
        context.functionName = functionName;
        const allowed = authorize(principal, 'release', functionName);
        if (!allowed.ok) throw new ApiError(allowed.type, allowed.message);
        const idempotencyKey = request.headers['idempotency-key'];
        const started = await deps.releases.start(spec, {
          requestedBy: principal.name,
          ...(idempotencyKey ? { idempotencyKey } : {}),
          // Merged here, at the edge, so the release's input records exactly whom it tells, and where links point.
          notify: { targets: deps.notifyDefaults ?? [], publicUrl: base(request) },
        });
        context.releaseId = started.releaseId;
        context.isReplay = started.isExisting;
        if (!started.isExisting) releasesStarted.inc();
        const warnings = releaseWarnings(
          planOf(spec.strategy),
          spec.health ? healthConfigOf(spec.health) : undefined,
        );
        const body = {
          id: started.releaseId,
          links: linksOf(request, started.releaseId),
          ...(warnings.length > 0 ? { warnings } : {}),
        };
        return reply
          .code(started.isExisting ? 200 : 202)
          .header('Location', body.links.self)
          .send(body);
      },
    );

    app.get(
      '/v1/releases',
      {
        config: { scope: 'read' } satisfies RouteAccess,
        schema: {
          summary: 'List releases (from Temporal visibility, newest first)',
          security,
          querystring: listQuerySchema,
          response: { 200: releasePageSchema, ...errors(400, 401, 403, 429, 503) },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const query = request.query;
        const ref = query.function ? parseFunctionRef(query.function) : undefined;
        const functionName = ref?.ok ? ref.value.name : undefined;
        if (functionName) {
          const allowed = authorize(principal, 'read', functionName);
          if (!allowed.ok) throw new ApiError(allowed.type, allowed.message);
        }
        const filters = JSON.stringify([functionName, query.alias, query.outcome, query.running]);
        const pageToken = query.pageToken ? unwrapPageToken(query.pageToken, filters) : undefined;
        const badToken = (message: string) =>
          new ApiError(ApiErrorType.BadRequest, `invalid query: pageToken: ${message}`, {
            problems: [{ field: 'pageToken', message }],
          });
        if (query.pageToken && !pageToken)
          throw badToken('not a nextPageToken this API returned for these filters');
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
          if (pageToken && describeUnexpected(error).type !== ApiErrorType.Unavailable)
            throw badToken('Temporal no longer accepts this page token; start over');
          throw error;
        }
        // A token scoped to some functions sees only their releases.
        return {
          releases: page.releases.filter((release) => mayActOnFunction(principal, release.functionName)),
          nextPageToken: page.nextPageToken ? wrapPageToken(page.nextPageToken, filters) : null,
        };
      },
    );

    app.get(
      '/v1/releases/:id',
      {
        config: { scope: 'read' } satisfies RouteAccess,
        schema: {
          summary: 'A release’s status',
          security,
          params: releaseIdParamsSchema,
          response: { 200: releaseStatusSchema, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request) => deps.releases.status(releaseIdOf(request)),
    );

    app.get(
      '/v1/releases/:id/events',
      {
        config: { scope: 'read' } satisfies RouteAccess,
        schema: {
          summary: 'Live progress as Server-Sent Events (`status` events, then `end`)',
          description:
            '`event: status` (data: ReleaseStatus) on every change, `: keep-alive` comments, then `event: end` (data: {releaseId, outcome})',
          produces: ['text/event-stream'],
          security,
          params: releaseIdParamsSchema,
          response: { ...errors(401, 403, 404, 429, 503) },
        },
      },
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
        {
          config: {
            scope: 'operate',
            action,
            invalidInput: {
              body: {
                type: ApiErrorType.BadRequest,
                message: 'invalid body: send {} or {"reason": "..."} (promote also takes "full": true)',
              },
            },
          } satisfies RouteAccess,
          schema: {
            summary: `${action[0]?.toUpperCase()}${action.slice(1)} a release`,
            security,
            params: releaseIdParamsSchema,
            body: controlBodySchema,
            response: {
              // The status read once the request took effect.
              200: releaseStatusSchema,
              ...errors(400, 401, 403, 404, 409, 429, 503),
            },
          },
        },
        async (request) =>
          deps.releases.control(releaseIdOf(request), action, {
            by: principalOf(request).name,
            ...(request.body?.reason ? { reason: request.body.reason } : {}),
            ...(action === 'promote' && request.body?.full ? { full: true } : {}),
          }),
      );
    }
  };
}
