/**
 * The API's request and response schemas, declared once: routes validate and serialize with them
 * (fastify-type-provider-zod) and the OpenAPI document is generated from them (@fastify/swagger).
 */
import { z } from 'zod';
import { aliasNameRule, isValidAliasName, parseFunctionRef } from '../domain/lambda-names.ts';
import { controlActions } from '../domain/release-state.ts';
import { releaseOutcomes, releaseStatusSchema, releaseSummarySchema } from '../domain/release-status.ts';
import { releaseSpecSchema } from '../domain/spec.ts';
import { trainSpecSchema } from '../domain/train-spec.ts';
import { trainStatusSchema } from '../domain/train-status.ts';
import { pageTokenPattern } from './page-token.ts';

export const maxPageSize = 100;

export const problemSchema = z.object({
  field: z
    .string()
    .describe('Dotted path to the field, e.g. `strategy.steps.1.weight`; empty for the whole body.'),
  message: z.string(),
});

export const errorBodySchema = z.object({
  error: z.looseObject({
    type: z.string(),
    message: z.string(),
    problems: z.array(problemSchema).optional(),
  }),
});

export const releaseIdParamsSchema = z.object({
  id: z.string().max(1024).describe('Release id `<region>.<function>.<alias>.<runId>`'),
});

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{1,200}$/, '1 to 200 characters of A-Z a-z 0-9 . _ : / -')
  .describe('A retried request with the same key and body returns the release the first one started.');

// Loose: the validated headers replace request.headers, and the others (authorization…) must stay.
export const startHeadersSchema = z.looseObject({ 'idempotency-key': idempotencyKeySchema.optional() });

export const startedReleaseSchema = z.object({
  id: z.string().describe('`<region>.<function>.<alias>.<runId>`'),
  links: z.object({
    self: z.url(),
    events: z.url(),
    ...Object.fromEntries(controlActions.map((action) => [action, z.url()])),
  }),
  warnings: z
    .array(z.string())
    .optional()
    .describe(
      'What the release will do that a person should know, e.g. steps that move traffic with no health checks.',
    ),
});

export const listQuerySchema = z.strictObject({
  function: z
    .string()
    .max(140)
    .refine((value) => parseFunctionRef(value).ok, 'not a Lambda function name or ARN')
    .optional()
    .describe('Function name or ARN'),
  alias: z.string().refine(isValidAliasName, aliasNameRule).optional(),
  outcome: z.enum(releaseOutcomes).optional(),
  running: z.enum(['true', 'false']).optional(),
  pageSize: z.coerce.number().int().min(1).max(maxPageSize).optional(),
  pageToken: z
    .string()
    .max(2000)
    .regex(pageTokenPattern, 'not a nextPageToken this API returned')
    .optional()
    .describe('The `nextPageToken` of the previous page, with the same filters'),
});

export const releasePageSchema = z.object({
  releases: z.array(releaseSummarySchema),
  nextPageToken: z.string().nullable(),
});

/** `{}`, `{"reason": "…"}`, or no body at all (Fastify hands an absent body to validation as null). */
export const controlBodySchema = z
  .strictObject({
    reason: z.string().max(500).optional(),
    full: z
      .boolean()
      .optional()
      .describe(
        'promote only: skip every remaining step and go to 100 % (without it, promote moves to the next step)',
      ),
  })
  .nullish();

export const readinessSchema = z.object({
  ready: z.boolean(),
  temporal: z.enum(['reachable', 'unreachable']),
});

/** Named schemas: the OpenAPI document refers to these as components instead of repeating them. */
export const apiSchemaRegistry = z.registry<{ id: string }>();
apiSchemaRegistry.add(releaseSpecSchema, { id: 'ReleaseSpec' });
apiSchemaRegistry.add(releaseStatusSchema, { id: 'ReleaseStatus' });
apiSchemaRegistry.add(releaseSummarySchema, { id: 'ReleaseSummary' });
apiSchemaRegistry.add(startedReleaseSchema, { id: 'StartedRelease' });
apiSchemaRegistry.add(errorBodySchema, { id: 'Error' });
apiSchemaRegistry.add(trainSpecSchema, { id: 'TrainSpec' });
apiSchemaRegistry.add(trainStatusSchema, { id: 'TrainStatus' });
