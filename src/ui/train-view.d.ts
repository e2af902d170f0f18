// Types for train-view.js, the dashboard's pure train logic, so the Node tests that import it are checked.
import type { TrainControlAction } from '../domain/train-state.ts';
import type { TrainStatus, TrainSummary, TrainTargetStatus } from '../domain/train-status.ts';
import type { Filters, Me } from './release-view.js';

export const trainControlActions: TrainControlAction[];
export const destructiveTrainActions: Set<TrainControlAction>;
export function trainStateProblem(status: TrainStatus, action: TrainControlAction): string | undefined;
export function targetsOf(status: TrainStatus): TrainTargetStatus[];
export function trainTokenProblem(me: Me | undefined, status: TrainStatus): string | undefined;
export function trainControlsFor(
  status: TrainStatus,
  me: Me | undefined,
): { action: TrainControlAction; isEnabled: boolean; reason: string | undefined }[];
export function waveProgress(status: TrainStatus): {
  wave: number;
  waveCount: number;
  endedTargets: number;
  targetCount: number;
  label: string;
};
export function trainRequestedBy(status: TrainStatus): string | undefined;
export function trainMatches(
  filters: Filters,
  summary: TrainSummary,
  status: TrainStatus | undefined,
): boolean;
