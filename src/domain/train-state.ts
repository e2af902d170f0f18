/**
 * The train's rules as pure data: its first status, which control requests its state allows, and the
 * outcome its targets' outcomes add up to. The workflow wires these; tests run them without Temporal.
 */

import type { ControlRequest } from './release-state.ts';
import { describeRequest } from './release-state.ts';
import type { TrainInput } from './train-input.ts';
import type { TrainOutcome, TrainStatus, TrainTargetStatus } from './train-status.ts';

export const trainControlActions = ['pause', 'resume', 'approve', 'abort'] as const;
export type TrainControlAction = (typeof trainControlActions)[number];

export function initialTrainStatus(id: string, input: TrainInput, startedAt: string): TrainStatus {
  return {
    id,
    name: input.name,
    outcome: null,
    phase: 'starting',
    onFailure: input.onFailure,
    isPaused: false,
    awaitingApproval: false,
    waveIndex: 0,
    waves: input.waves.map((wave) => ({
      name: wave.name,
      state: 'pending',
      maxParallel: wave.maxParallel ?? null,
      requiresApproval: wave.requiresApproval,
      targets: wave.targets.map(
        (target): TrainTargetStatus => ({
          function: target.functionShortName,
          alias: target.alias,
          region: target.region,
          releaseId: null,
          outcome: null,
          phase: 'pending',
          candidateWeightPercent: 0,
          stableVersion: null,
          candidateVersion: null,
          message: null,
        }),
      ),
    })),
    requestedBy: input.requestedBy ?? null,
    startedAt,
    endedAt: null,
    timeline: [],
  };
}

/** Why `action` is not allowed now, or undefined when it is. The API answers 409 with this text. */
export function trainControlProblem(
  status: TrainStatus,
  action: TrainControlAction,
  abort: ControlRequest | undefined,
): string | undefined {
  if (status.outcome !== null) return `the train has already ended (outcome: ${status.outcome})`;
  if (abort) return `the train was already aborted${describeRequest(abort)}; it is rolling back`;
  if (status.phase === 'rolling_back') return 'the train is rolling back; it can no longer be changed';
  switch (action) {
    case 'pause':
      return status.isPaused ? 'the train is already paused' : undefined;
    case 'resume':
      return status.isPaused ? undefined : 'the train is not paused';
    case 'approve':
      return status.awaitingApproval ? undefined : 'the train is not waiting for an approval';
    case 'abort':
      return undefined;
  }
}

/**
 * What the targets add up to, once the train has done what its policy says. A rollback that could not
 * complete outranks everything (a person must look), then an outside change, then promotions the stop
 * policy left in place (`leftPromotedCount`).
 */
export function trainOutcomeOf(status: TrainStatus, leftPromotedCount: number): TrainOutcome {
  const targets = status.waves.flatMap((wave) => wave.targets);
  if (targets.every((target) => target.outcome === 'succeeded')) return 'succeeded';
  if (targets.some((target) => target.outcome === 'needs_attention')) return 'needs_attention';
  if (targets.some((target) => target.outcome === 'conflict')) return 'conflict';
  if (leftPromotedCount > 0) return 'stopped';
  return 'rolled_back';
}
