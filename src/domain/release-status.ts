import type { FailureType } from './failure-types.ts';
import type { ReleasePlan } from './release-plan.ts';

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
  /** While waiting for an approval: when the wait times out and the release rolls back (paused time excluded). */
  approvalEndsAt?: string | null;
  /** While paused: when the pause times out and the release rolls back. */
  pauseEndsAt?: string | null;
  /** The steps the release walks (absent in releases started before plans were recorded). */
  plan?: ReleasePlan;
  startedAt: string;
  endedAt: string | null;
  timeline: TimelineEntry[];
  lastError: ReleaseError | null;
}
