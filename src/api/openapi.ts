import { z } from 'zod';
import { controlActions } from '../domain/release-state.ts';
import { releaseOutcomes, releasePhases } from '../domain/release-status.ts';
import { releaseSpecSchema } from '../domain/spec.ts';
import { scopes } from './auth.ts';

/**
 * The OpenAPI 3.1 document, generated from the very zod schema that validates request bodies, so the docs
 * cannot drift from what the API accepts.
 */
export function buildOpenApiDocument(serverUrl: string | undefined): Record<string, unknown> {
  const spec = z.toJSONSchema(releaseSpecSchema, { io: 'input', unrepresentable: 'any' });
  const errorSchema = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['type', 'message'],
        properties: {
          type: { type: 'string' },
          message: { type: 'string' },
          problems: {
            type: 'array',
            items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
  };
  const statusSchema = {
    type: 'object',
    description: 'The release status: the same object as the workflow `status` query.',
    properties: {
      releaseId: { type: 'string' },
      functionName: { type: 'string' },
      alias: { type: 'string' },
      region: { type: 'string' },
      phase: { enum: [...releasePhases] },
      outcome: { enum: [...releaseOutcomes, null] },
      isPaused: { type: 'boolean' },
      stableVersion: { type: ['string', 'null'] },
      candidateVersion: { type: ['string', 'null'] },
      candidateWeightPercent: { type: 'number' },
      stepIndex: { type: 'integer' },
      stepCount: { type: 'integer' },
      bakeEndsAt: { type: ['string', 'null'], format: 'date-time' },
      awaitingApproval: { type: 'boolean' },
      startedAt: { type: 'string', format: 'date-time' },
      endedAt: { type: ['string', 'null'], format: 'date-time' },
      timeline: { type: 'array', items: { type: 'object' } },
      lastError: { type: ['object', 'null'] },
    },
  };
  const summarySchema = {
    type: 'object',
    properties: {
      releaseId: { type: 'string' },
      functionName: { type: 'string' },
      alias: { type: 'string' },
      region: { type: 'string' },
      phase: { type: ['string', 'null'] },
      outcome: { enum: [...releaseOutcomes, null] },
      isRunning: { type: 'boolean' },
      startedAt: { type: ['string', 'null'], format: 'date-time' },
      endedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  };
  const startedSchema = {
    type: 'object',
    required: ['id', 'links'],
    properties: {
      id: { type: 'string', description: '`<region>.<function>.<alias>.<runId>`' },
      links: {
        type: 'object',
        properties: Object.fromEntries(
          ['self', 'events', ...controlActions].map((name) => [name, { type: 'string', format: 'uri' }]),
        ),
      },
    },
  };
  const errors = (...codes: number[]) =>
    Object.fromEntries(
      codes.map((code) => [
        String(code),
        {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      ]),
    );
  const ok = (description: string, schema: unknown) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const idParam = {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'Release id `<region>.<function>.<alias>.<runId>`',
  };
  const controlPaths = Object.fromEntries(
    controlActions.map((action) => [
      `/v1/releases/{id}/${action}`,
      {
        post: {
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a release`,
          security: [{ bearer: [] }],
          parameters: [idParam],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { reason: { type: 'string', maxLength: 500 } },
                  additionalProperties: false,
                },
              },
            },
          },
          responses: {
            '200': ok('The release status after the request', { $ref: '#/components/schemas/ReleaseStatus' }),
            ...errors(400, 401, 403, 404, 409, 503),
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ramp release API',
      version: '1',
      description: 'Durable, guarded Lambda releases on Temporal.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ReleaseSpec: spec,
        ReleaseStatus: statusSchema,
        ReleaseSummary: summarySchema,
        StartedRelease: startedSchema,
        Error: errorSchema,
      },
    },
    paths: {
      '/v1/releases': {
        post: {
          summary: 'Start a release',
          security: [{ bearer: [] }],
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,200}$' },
              description: 'A retried request with the same key returns the release the first one started.',
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ReleaseSpec' } } },
          },
          responses: {
            '202': ok('Started', { $ref: '#/components/schemas/StartedRelease' }),
            '200': ok('An earlier request with the same Idempotency-Key started this release', {
              $ref: '#/components/schemas/StartedRelease',
            }),
            ...errors(400, 401, 403, 409, 413, 415, 503),
          },
        },
        get: {
          summary: 'List releases (from Temporal visibility)',
          security: [{ bearer: [] }],
          parameters: [
            {
              name: 'function',
              in: 'query',
              schema: { type: 'string' },
              description: 'Function name or ARN',
            },
            { name: 'alias', in: 'query', schema: { type: 'string' } },
            { name: 'outcome', in: 'query', schema: { enum: [...releaseOutcomes] } },
            { name: 'running', in: 'query', schema: { enum: ['true', 'false'] } },
            { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            {
              name: 'pageToken',
              in: 'query',
              schema: { type: 'string' },
              description: 'The `nextPageToken` of the previous page',
            },
          ],
          responses: {
            '200': ok('A page of releases', {
              type: 'object',
              properties: {
                releases: { type: 'array', items: { $ref: '#/components/schemas/ReleaseSummary' } },
                nextPageToken: { type: ['string', 'null'] },
              },
            }),
            ...errors(400, 401, 403, 503),
          },
        },
      },
      '/v1/releases/{id}': {
        get: {
          summary: 'A release’s status',
          security: [{ bearer: [] }],
          parameters: [idParam],
          responses: {
            '200': ok('Status', { $ref: '#/components/schemas/ReleaseStatus' }),
            ...errors(401, 403, 404, 503),
          },
        },
      },
      '/v1/releases/{id}/events': {
        get: {
          summary: 'Live progress as Server-Sent Events (`status` events, then `end`)',
          security: [{ bearer: [] }],
          parameters: [idParam],
          responses: {
            '200': {
              description:
                '`event: status` (data: ReleaseStatus) on every change, `: keep-alive` comments, then `event: end` (data: {releaseId, outcome})',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(401, 403, 404, 503),
          },
        },
      },
      '/v1/me': {
        get: {
          summary: 'Who the bearer token is and what it may do (the dashboard disables what it may not)',
          security: [{ bearer: [] }],
          responses: {
            '200': ok('The token', {
              type: 'object',
              required: ['name', 'scopes', 'functions', 'may', 'isOpen'],
              properties: {
                name: { type: 'string' },
                scopes: { type: 'array', items: { enum: [...scopes] } },
                functions: { type: 'array', items: { type: 'string' }, description: 'glob patterns' },
                may: {
                  type: 'object',
                  properties: {
                    read: { type: 'boolean' },
                    release: { type: 'boolean' },
                    operate: { type: 'boolean' },
                  },
                },
                isOpen: { type: 'boolean', description: 'the API runs without tokens (loopback only)' },
              },
            }),
            ...errors(401),
          },
        },
      },
      ...controlPaths,
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'OK' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness (Temporal reachable)',
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain' } } },
      },
    },
  };
}
