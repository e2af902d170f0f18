import type { NotifyConfig } from './notifications.ts';
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
  /**
   * The train's workflow id, as the client chose it: names the train's notification outbox from the input,
   * not workflowInfo(), so a replay under another id still matches (absent in trains started before it).
   */
  trainId?: string;
  /** Where the train's own events go (its `notify`, then the server's defaults), and where links point. */
  notify?: NotifyConfig;
}

export interface TrainWaveInput {
  name: string;
  /** At most this many of the wave's releases run at once; absent: all. */
  maxParallel?: number;
  requiresApproval: boolean;
  targets: ReleaseInput[];
}
