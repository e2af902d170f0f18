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

/**
 * `rejected`: the preflight found problems before any write (nothing changed); the others as their names
 * say. New outcomes are only ever added.
 */
export const releaseOutcomes = [
  'succeeded',
  'rolled_back',
  'conflict',
  'failed',
  'needs_attention',
  'rejected',
] as const;
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

const plannedStepSchema = z.object({
  weightPercent: z.number().describe('Percent of traffic on the candidate during this step.'),
  bakeMs: z.number().describe('How long the step bakes, in milliseconds.'),
  requiresApproval: z.boolean().describe('Whether a person must approve before the release moves on.'),
});

/** The same shape as ReleasePlan (src/domain/release-plan.ts), which the workflow carries. */
export const releasePlanSchema = z.object({
  steps: z.array(plannedStepSchema),
  promotionRequiresApproval: z.boolean(),
});

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
    aliasRevisionId: z
      .string()
      .nullable()
      .optional()
      .describe(
        "Once the release succeeded: the alias's RevisionId as Ramp's read-back found it, the guard for a later rollback of this release (a train's).",
      ),
    candidateWeightPercent: z.number().describe('Percent of the alias’s traffic on the candidate.'),
    stepIndex: z.number().int().describe('Index of the current step (0-based).'),
    stepCount: z.number().int().describe('How many steps precede promotion.'),
    bakeEndsAt: timestamp.nullable(),
    awaitingApproval: z.boolean(),
    approvalEndsAt: timestamp
      .nullable()
      .optional()
      .describe(
        'While waiting for an approval: when the wait times out and the release rolls back (paused time excluded).',
      ),
    pauseEndsAt: timestamp
      .nullable()
      .optional()
      .describe('While paused: when the pause times out and the release rolls back.'),
    plan: releasePlanSchema
      .optional()
      .describe('The steps the release walks (absent in releases started before plans were recorded).'),
    requestedBy: z
      .string()
      .nullable()
      .optional()
      .describe(
        'Who started the release (the token’s name, the CLI user; a train’s target names its train too). Absent in releases started before it was recorded.',
      ),
    codeSha256: z
      .string()
      .nullable()
      .optional()
      .describe(
        'The CodeSha256 Lambda reported for the uploaded code (the one the candidate version was published under); null before the update and for a release of an existing version. Absent in releases started before it was recorded.',
      ),
    currentVerdict: z
      .object({
        status: z.enum(['pass', 'fail', 'inconclusive']),
        message: z
          .string()
          .describe(
            'e.g. "healthy", or "waiting for CloudWatch (data up to 12:02:00)" while no data is published',
          ),
        checks: z
          .array(
            z.object({
              name: z.string(),
              status: z.enum(['pass', 'fail', 'inconclusive']),
              measured: z.string().optional(),
              against: z.string().optional(),
            }),
          )
          .optional(),
        checksRun: z.number().int().describe('Checks the health monitor has made in this wait.'),
        at: timestamp.describe('When the monitor last reported (its heartbeat).'),
      })
      .nullable()
      .optional()
      .describe(
        "While a health monitor watches the release (bakes, approval waits, pauses): its latest check, which the timeline records only at the wait's end. Absent otherwise.",
      ),
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
