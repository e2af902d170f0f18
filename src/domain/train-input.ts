import type { ReleaseInput } from './release-input.ts';
import type { TrainFailurePolicy } from './train-spec.ts';

/**
 * What the train workflow receives: each target already a release workflow's input (zips staged, regions
 * resolved, plans computed), so a child starts exactly as a single release would. One object, so fields
 * can be added without breaking running trains.
 */
export interface TrainInput {
  name: string;
  waves: TrainWaveInput[];
  onFailure: TrainFailurePolicy;
  /** After each wave has promoted, how long its targets' health stays watched with rollback armed. */
  watchAfterWaveMs?: number;
  requestedBy?: string;
}

export interface TrainWaveInput {
  name: string;
  /** At most this many of the wave's releases run at once; absent: all. */
  maxParallel?: number;
  requiresApproval: boolean;
  targets: ReleaseInput[];
}
