/**
 * A train's own notifications: it started, it was paused, a wave waits for an approval, and how it ended.
 * The same queues, activity, retries and outbox as a release's (../release/notification-queues.ts): the
 * train never waits for a receiver while it runs, never fails because of one, and at its end gives the
 * queues `notificationDrainMs` before handing what is left to the outbox.
 *
 * Only trains whose input names targets use it, behind `trainNotificationsPatch`: the rest record nothing
 * new and replay as before.
 */
import { patched } from '@temporalio/workflow';
import type { NotificationEventType } from '../../domain/notifications.ts';
import type { TimelineEntry } from '../../domain/release-status.ts';
import type { TrainInput } from '../../domain/train-input.ts';
import {
  buildTrainNotification,
  trainEndingMessage,
  trainEventOfEntry,
  trainEventOfOutcome,
  trainNotificationBody,
} from '../../domain/train-notifications.ts';
import type { TrainStatus } from '../../domain/train-status.ts';
import { messageOf } from '../release/notification-delivery.ts';
import { NotificationQueues } from '../release/notification-queues.ts';
import { trainNotificationsPatch } from './messages.ts';

export class TrainNotifier {
  private readonly queues: NotificationQueues | undefined;
  private sequence = 0;

  constructor(
    private readonly input: TrainInput,
    private readonly status: TrainStatus,
    record: (entry: TimelineEntry) => void,
  ) {
    const targets = input.notify?.targets ?? [];
    // patched() only where there is something to send: a train without targets records no marker.
    this.queues =
      targets.length > 0 && patched(trainNotificationsPatch)
        ? new NotificationQueues(targets, {
            outboxKey: () => input.trainId ?? status.id,
            kind: 'train',
            outboxSubject: `train ${input.name}`,
            record,
          })
        : undefined;
  }

  /** A timeline entry was written: when it is an event (started, pause, awaiting_approval), queue it. */
  hear(entry: TimelineEntry): void {
    const event = trainEventOfEntry(entry);
    if (event) this.enqueue(event, entry.at, entry.message);
  }

  /** Queues the ending event (from the outcome), then drains the queues (at most `notificationDrainMs`). Never throws. */
  async drain(): Promise<void> {
    if (!this.queues) return;
    const { status } = this;
    if (status.outcome)
      this.enqueue(
        trainEventOfOutcome(status.outcome),
        status.endedAt ?? status.startedAt,
        trainEndingMessage(status),
      );
    await this.queues.drain();
  }

  private enqueue(event: NotificationEventType, at: string, message: string): void {
    if (!this.queues) return;
    try {
      const notification = buildTrainNotification({
        event,
        sequence: ++this.sequence,
        at,
        message,
        status: this.status,
        ...(this.input.notify?.publicUrl ? { publicUrl: this.input.notify.publicUrl } : {}),
      });
      this.queues.enqueue(notification.id, event, (format) => trainNotificationBody(format, notification));
    } catch (error) {
      this.queues.recordFailure(`notification ${event} could not be built: ${messageOf(error)}`);
    }
  }
}
