import type { FailureType } from './failure-types.ts';

/**
 * The release's status: the answer of the workflow's `status` query, and exactly the body of
 * `GET /v1/releases/{id}`. Plain JSON (ISO timestamps), so it crosses Temporal and HTTP unchanged.
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

export interface TimelineEntry {
  at: string;
  /** Short machine-readable kind, e.g. `code_updated`, `weight_set`, `health_verdict`, `rolled_back`. */
  event: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface ReleaseError {
  type: FailureType | string;
  isRetryable: boolean;
  message: string;
  details?: Record<string, unknown>;
}

export interface ReleaseStatus {
  releaseId: string;
  functionName: string;
  alias: string;
  region: string;
  phase: ReleasePhase;
  /** Null while the release runs. */
  outcome: ReleaseOutcome | null;
  isPaused: boolean;
  stableVersion: string | null;
  candidateVersion: string | null;
  /** Percent of the alias's traffic on the candidate. */
  candidateWeightPercent: number;
  /** Index of the current step (0-based) and how many steps precede promotion. */
  stepIndex: number;
  stepCount: number;
  bakeEndsAt: string | null;
  awaitingApproval: boolean;
  startedAt: string;
  endedAt: string | null;
  timeline: TimelineEntry[];
  lastError: ReleaseError | null;
}

/** One release in a listing, from Temporal's visibility (no workflow query needed). */
export interface ReleaseSummary {
  releaseId: string;
  functionName: string;
  alias: string;
  region: string;
  phase: string | null;
  outcome: ReleaseOutcome | null;
  isRunning: boolean;
  startedAt: string | null;
  endedAt: string | null;
}
