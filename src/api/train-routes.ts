import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { NotifyTarget } from '../domain/notifications.ts';
import { targetFunctionNames, trainSpecSchema } from '../domain/train-spec.ts';
import { trainControlActions } from '../domain/train-state.ts';
import { type TrainStatus, trainStatusSchema, trainSummarySchema } from '../domain/train-status.ts';
import type { TrainClient } from '../releases/train-client.ts';
import { authorize, mayActOnFunction, type Principal } from './auth.ts';
import { ApiError, ApiErrorType } from './error-status.ts';
import { streamStatusEvents } from './events.ts';
import { contextOf, type RouteAccess } from './request-context.ts';
import { controlBodySchema, errorBodySchema, startHeadersSchema } from './schemas.ts';

export interface TrainRouteDeps {
  trains: Pick<TrainClient, 'start' | 'status' | 'control' | 'list'>;
  publicUrl?: string;
  eventPollMs: number;
  heartbeatMs: number;
  openStreams: Set<() => void>;
  /** Where every target's release notifies besides its own `notify` (RAMP_NOTIFY_FILE), as for single releases. */
  notifyDefaults?: NotifyTarget[];
}

export const trainIdParamsSchema = z.object({
  trainId: z.string().max(200).describe('Train id, `train-…`'),
});

export const startedTrainSchema = z.object({
  id: z.string(),
  links: z.object({
    self: z.url(),
    events: z.url(),
    ...Object.fromEntries(trainControlActions.map((action) => [action, z.url()])),
  }),
});

export const trainListQuerySchema = z.strictObject({
  running: z.enum(['true', 'false']).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
});

const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503)[]) =>
  Object.fromEntries(codes.map((code) => [code, errorBodySchema]));
const security = [{ bearer: [] }];

function principalOf(request: FastifyRequest): Principal {
  const principal = contextOf(request).principal;
  if (!principal) throw new Error(`route ${request.routeOptions.url} ran without authentication`);
  return principal;
}

/** A token scoped to some functions may act on a train only if its patterns cover every target. */
function uncovered(principal: Principal, functionNames: string[]): string[] {
  return [...new Set(functionNames.filter((name) => !mayActOnFunction(principal, name)))];
}

function requireCoverage(principal: Principal, functionNames: string[]): void {
  const outside = uncovered(principal, functionNames);
  if (outside.length > 0)
    throw new ApiError(
      ApiErrorType.Forbidden,
      `token "${principal.name}" may not act on ${outside.join(', ')}; a train needs a token that covers every target`,
    );
}

const functionsOf = (status: TrainStatus) =>
  status.waves.flatMap((wave) => wave.targets.map((t) => t.function));

/** `/v1/trains…`: start, list, read, follow and control trains. */
export function registerTrainRoutes(deps: TrainRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const base = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;
    const linksOf = (request: FastifyRequest, id: string) => {
      const self = `${base(request)}/v1/trains/${id}`;
      return {
        self,
        events: `${self}/events`,
        ...Object.fromEntries(trainControlActions.map((action) => [action, `${self}/${action}`])),
      };
    };
    /** The train's status, after checking the caller may see every one of its targets. */
    const readTrain = async (request: FastifyRequest, id: string) => {
      const status = await deps.trains.status(id);
      requireCoverage(principalOf(request), functionsOf(status));
      return status;
    };

    app.post(
      '/v1/trains',
      {
        config: {
          scope: 'release',
          action: 'start_train',
          invalidInput: {
            body: { type: ApiErrorType.InvalidSpec, message: 'invalid train spec' },
            headers: { type: ApiErrorType.BadRequest, message: 'invalid Idempotency-Key header' },
          },
        } satisfies RouteAccess,
        schema: {
          summary: 'Start a train: many releases in ordered waves',
          security,
          headers: startHeadersSchema,
          body: trainSpecSchema,
          response: {
            202: startedTrainSchema,
            200: startedTrainSchema,
            ...errors(400, 401, 403, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const allowed = authorize(principal, 'release');
        if (!allowed.ok) throw new ApiError(allowed.type, allowed.message);
        requireCoverage(principal, targetFunctionNames(request.body));
        const idempotencyKey = request.headers['idempotency-key'];
        const started = await deps.trains.start(request.body, {
          requestedBy: principal.name,
          ...(idempotencyKey ? { idempotencyKey } : {}),
          notify: { targets: deps.notifyDefaults ?? [], publicUrl: base(request) },
        });
        contextOf(request).isReplay = started.isExisting;
        const body = { id: started.trainId, links: linksOf(request, started.trainId) };
        return reply
          .code(started.isExisting ? 200 : 202)
          .header('Location', body.links.self)
          .send(body);
      },
    );

    app.get(
      '/v1/trains',
      {
        config: { scope: 'read' } satisfies RouteAccess,
        schema: {
          summary: 'List trains (from Temporal visibility, newest first)',
          security,
          querystring: trainListQuerySchema,
          response: {
            200: z.object({ trains: z.array(trainSummarySchema) }),
            ...errors(400, 401, 403, 429, 503),
          },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const trains = await deps.trains.list({
          ...(request.query.running ? { isRunning: request.query.running === 'true' } : {}),
          ...(request.query.pageSize ? { pageSize: request.query.pageSize } : {}),
        });
        if (principal.functions.includes('*')) return { trains };
        // A token scoped to some functions sees only the trains whose every target it covers.
        const visible = await Promise.all(
          trains.map(async (train) => {
            const status = await deps.trains.status(train.id).catch(() => undefined);
            return status && uncovered(principal, functionsOf(status)).length === 0 ? train : undefined;
          }),
        );
        return { trains: visible.filter((train) => train !== undefined) };
      },
    );

    app.get(
      '/v1/trains/:trainId',
      {
        config: { scope: 'read' } satisfies RouteAccess,
        schema: {
          summary: 'A train’s status: its waves and each target’s release',
          security,
          params: trainIdParamsSchema,
          response: { 200: trainStatusSchema, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request) => readTrain(request, request.params.trainId),
    );

    app.get(
      '/v1/trains/:trainId/events',
      {
        config: { scope: 'read' } satisfies RouteAccess,
        schema: {
          summary: 'A train’s progress as Server-Sent Events (`status` events, then `end`)',
          description:
            '`event: status` (data: TrainStatus) on every change, `: keep-alive` comments, then `event: end` (data: {id, outcome})',
          produces: ['text/event-stream'],
          security,
          params: trainIdParamsSchema,
          response: { ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        const id = request.params.trainId;
        const first = await readTrain(request, id);
        await streamStatusEvents(
          reply,
          {
            first,
            readStatus: () => deps.trains.status(id),
            pollMs: deps.eventPollMs,
            heartbeatMs: deps.heartbeatMs,
            openStreams: deps.openStreams,
          },
          (status) => ({ id: status.id, outcome: status.outcome }),
        );
        return reply;
      },
    );

    for (const action of trainControlActions) {
      app.post(
        `/v1/trains/:trainId/${action}`,
        {
          config: {
            scope: 'operate',
            action: `${action}_train`,
            invalidInput: {
              body: { type: ApiErrorType.BadRequest, message: 'invalid body: send {} or {"reason": "..."}' },
            },
          } satisfies RouteAccess,
          schema: {
            summary: `${action[0]?.toUpperCase()}${action.slice(1)} a train`,
            security,
            params: trainIdParamsSchema,
            body: controlBodySchema,
            response: { 200: trainStatusSchema, ...errors(400, 401, 403, 404, 409, 429, 503) },
          },
        },
        async (request) => {
          const id = request.params.trainId;
          await readTrain(request, id);
          return deps.trains.control(id, action, {
            by: principalOf(request).name,
            ...(request.body?.reason ? { reason: request.body.reason } : {}),
          });
        },
      );
    }
  };
}
