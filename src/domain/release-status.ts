import { z } from 'zod';

/**
 * The release's status: the answer of the workflow's `status` query, and exactly the body of
 * `GET /v1/releases/{id}`. Plain JSON (ISO timestamps), so it crosses Temporal and HTTP unchanged.
 * The schemas type the code, shape the API's responses and generate its OpenAPI document; the workflow
 * imports the types only (`import type`), so zod never enters the workflow bundle.
 */
export const releasePhases = [
  'starting',
  'updating_code',
  'publishing',
  'shifting',
  'baking',
  'awaiting_approval',
  'paused',
  'promoting',
  'rolling_back',
  'completed',
] as const;
export type ReleasePhase = (typeof releasePhases)[number];

export const releaseOutcomes = ['succeeded', 'rolled_back', 'conflict', 'failed', 'needs_attention'] as const;
export type ReleaseOutcome = (typeof releaseOutcomes)[number];

const timestamp = z.iso.datetime();
const details = z.record(z.string(), z.unknown());

export const timelineEntrySchema = z.object({
  at: timestamp,
  event: z
    .string()
    .describe(
      'Short machine-readable kind, e.g. `code_updated`, `weight_set`, `health_verdict`, `rolled_back`.',
    ),
  message: z.string(),
  details: details.optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const releaseErrorSchema = z.object({
  /** A FailureType, or another type a failure carried. */
  type: z.string(),
  isRetryable: z.boolean(),
  message: z.string(),
  details: details.optional(),
});
export type ReleaseError = z.infer<typeof releaseErrorSchema>;

export const releaseStatusSchema = z
  .object({
    releaseId: z.string(),
    functionName: z.string(),
    alias: z.string(),
    region: z.string(),
    phase: z.enum(releasePhases),
    outcome: z.enum(releaseOutcomes).nullable().describe('Null while the release runs.'),
    isPaused: z.boolean(),
    stableVersion: z.string().nullable(),
    candidateVersion: z.string().nullable(),
    candidateWeightPercent: z.number().describe('Percent of the alias’s traffic on the candidate.'),
    stepIndex: z.number().int().describe('Index of the current step (0-based).'),
    stepCount: z.number().int().describe('How many steps precede promotion.'),
    bakeEndsAt: timestamp.nullable(),
    awaitingApproval: z.boolean(),
    startedAt: timestamp,
    endedAt: timestamp.nullable(),
    timeline: z.array(timelineEntrySchema),
    lastError: releaseErrorSchema.nullable(),
  })
  .describe('The release status: the same object as the workflow `status` query.');
export type ReleaseStatus = z.infer<typeof releaseStatusSchema>;

/** One release in a listing, from Temporal's visibility (no workflow query needed). */
export const releaseSummarySchema = z.object({
  releaseId: z.string(),
  functionName: z.string(),
  alias: z.string(),
  region: z.string(),
  phase: z.string().nullable(),
  outcome: z.enum(releaseOutcomes).nullable(),
  isRunning: z.boolean(),
  description: z.string().nullable().describe('The description the release gave its published version.'),
  startedAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
});
export type ReleaseSummary = z.infer<typeof releaseSummarySchema>;
