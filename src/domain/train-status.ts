import { z } from 'zod';
import { releaseOutcomes, releasePhases, timelineEntrySchema } from './release-status.ts';

/**
 * A train's status: the answer of the train workflow's `status` query, and the body of
 * `GET /v1/trains/{id}`. The train holds only its plan and each child's id and outcome; a target's live
 * phase and weight are read from the child release itself when the status is asked for.
 */
export const trainPhases = [
  'starting',
  'running',
  'awaiting_approval',
  'paused',
  'watching',
  'rolling_back',
  'completed',
] as const;
export type TrainPhase = (typeof trainPhases)[number];

/** `stopped`: the stop policy left earlier waves on their new versions after a failure. */
export const trainOutcomes = ['succeeded', 'rolled_back', 'stopped', 'conflict', 'needs_attention'] as const;
export type TrainOutcome = (typeof trainOutcomes)[number];

export const waveStates = [
  'pending',
  'awaiting_approval',
  'running',
  'watching',
  'promoted',
  'failed',
  'rolled_back',
  'skipped',
] as const;
export type WaveState = (typeof waveStates)[number];

/** A release's outcome, or `not_started` for a target the train never started. */
export const targetOutcomes = [...releaseOutcomes, 'not_started'] as const;
export type TargetOutcome = (typeof targetOutcomes)[number];

export const targetPhases = ['pending', ...releasePhases] as const;
export type TargetPhase = (typeof targetPhases)[number];

export const trainTargetStatusSchema = z.object({
  function: z.string(),
  alias: z.string(),
  region: z.string(),
  releaseId: z
    .string()
    .nullable()
    .describe('The child release (GET /v1/releases/{id}); null before it starts.'),
  outcome: z.enum(targetOutcomes).nullable().describe('Null while the target is pending or running.'),
  phase: z.enum(targetPhases),
  candidateWeightPercent: z.number(),
  stableVersion: z.string().nullable(),
  candidateVersion: z.string().nullable(),
  message: z.string().nullable().describe('Why the target ended as it did, when not succeeded.'),
});
export type TrainTargetStatus = z.infer<typeof trainTargetStatusSchema>;

export const trainWaveStatusSchema = z.object({
  name: z.string(),
  state: z.enum(waveStates),
  maxParallel: z.number().int().nullable(),
  requiresApproval: z.boolean(),
  targets: z.array(trainTargetStatusSchema),
});
export type TrainWaveStatus = z.infer<typeof trainWaveStatusSchema>;

export const trainStatusSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    outcome: z.enum(trainOutcomes).nullable().describe('Null while the train runs.'),
    phase: z.enum(trainPhases),
    onFailure: z.enum(['rollback-train', 'stop']),
    isPaused: z.boolean(),
    awaitingApproval: z.boolean(),
    waveIndex: z.number().int().describe('The wave the train is on (0-based).'),
    waves: z.array(trainWaveStatusSchema),
    requestedBy: z
      .string()
      .nullable()
      .optional()
      .describe('Who started the train (the token’s name). Absent in trains started before it was recorded.'),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
    timeline: z.array(timelineEntrySchema),
  })
  .describe('The train status: the same object as the train workflow’s `status` query.');
export type TrainStatus = z.infer<typeof trainStatusSchema>;

export const trainSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phase: z.string().nullable(),
  outcome: z.enum(trainOutcomes).nullable(),
  isRunning: z.boolean(),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
});
export type TrainSummary = z.infer<typeof trainSummarySchema>;
