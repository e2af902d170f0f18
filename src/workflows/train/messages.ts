/**
 * The train workflow's public control surface: its query and updates. The API and the CLI import only
 * this file, so they use the very definitions the workflow handles. Names are recorded in histories:
 * never rename one.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ControlRequest } from '../../domain/release-state.ts';
import type { TrainControlAction } from '../../domain/train-state.ts';
import type { TrainPhase, TrainStatus } from '../../domain/train-status.ts';

/** What a control update answers: that the request was taken, and where the train stands. */
export interface TrainControlAck {
  action: TrainControlAction;
  phase: TrainPhase;
  isPaused: boolean;
  awaitingApproval: boolean;
}

export const trainStatusQuery = defineQuery<TrainStatus>('trainStatus');
export const trainControlUpdates = {
  pause: defineUpdate<TrainControlAck, [ControlRequest]>('pause'),
  resume: defineUpdate<TrainControlAck, [ControlRequest]>('resume'),
  approve: defineUpdate<TrainControlAck, [ControlRequest]>('approve'),
  abort: defineUpdate<TrainControlAck, [ControlRequest]>('abort'),
} as const satisfies Record<TrainControlAction, unknown>;

/**
 * Patch ids of the train workflow, in the order they were introduced; the replay test covers histories
 * from before and after each.
 */
/**
 * t1n: the train's own notifications (notifier.ts): train_started, train_paused, train_awaiting_approval
 * and the ending, delivered by `deliverNotification`, with the release's outbox for what is left at the end.
 * Asked only by trains whose input has notify targets, so trains without any record no marker.
 */
export const trainNotificationsPatch = 'ramp-train-notifications-v1';
