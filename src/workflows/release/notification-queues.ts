/**
 * One queue per receiver, sent in order by a background loop each, and the hand-over of what is left at the
 * end to a detached outbox: the delivery half of a release's notifications (notifier.ts) and of a train's
 * (../train/notifier.ts). The owner builds each event's bytes; this only queues, sends and hands over.
 *
 * The owner never waits for deliveries while it runs and never fails because of them. `drain()` gives the
 * queues a short, fixed time (`notificationDrainMs`) to empty at the end; whatever is still queued then,
 * per receiver and in order, including the event being delivered at that moment, goes to the notification
 * outbox (notification-outbox.ts), so the owner's workflow completes at once.
 */
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  ParentClosePolicy,
  patched,
  startChild,
} from '@temporalio/workflow';
import {
  capOutboxQueues,
  maxOutboxInputBytes,
  type NotificationEventType,
  type NotifyFormat,
  type NotifyTarget,
  notificationOutboxWorkflowId,
  type QueuedNotification,
  wantsEvent,
} from '../../domain/notifications.ts';
import type { TimelineEntry } from '../../domain/release-status.ts';
import { outboxCapPatch } from './messages.ts';
import { deliverInOrder, messageOf, originOf } from './notification-delivery.ts';
import { notificationOutbox } from './notification-outbox.ts';

/**
 * How long a finished release (or train) waits for its queued notifications before handing what is left
 * to its outbox: long enough for receivers that are up to take the ending event, short enough that the
 * alias is free for the next release within seconds.
 */
export const notificationDrainMs = 15_000;

/** What the queues need of their owner: whose outbox it is, and its timeline. */
export interface NotificationOwner {
  /** The id the outbox is named after (`notifications.<id>`): the release id, or the train id. */
  outboxKey(): string;
  /** What ends: `release` or `train`, for the timeline's words. */
  kind: 'release' | 'train';
  /** What the outbox's summary in Temporal's UI names: `payments:live`, `train orders 3.1.0`. */
  outboxSubject: string;
  /** Appends to the owner's timeline directly: a delivery problem is not itself an event. */
  record(entry: TimelineEntry): void;
}

interface Receiver {
  target: NotifyTarget;
  queue: QueuedNotification[];
  isSending: boolean;
}

export class NotificationQueues {
  private readonly receivers: Receiver[];
  /** Set once the outbox holds what was left: nothing more is sent from here. */
  private isHandedOff = false;

  constructor(
    targets: NotifyTarget[],
    private readonly owner: NotificationOwner,
  ) {
    this.receivers = targets.map((target) => ({ target, queue: [], isSending: false }));
  }

  /** Queues one event for every receiver that wants it, with the bytes `bodyFor` builds for its format. */
  enqueue(eventId: string, event: NotificationEventType, bodyFor: (format: NotifyFormat) => string): void {
    for (const receiver of this.receivers) {
      if (!wantsEvent(receiver.target, event)) continue;
      receiver.queue.push({ eventId, event, body: bodyFor(receiver.target.format) });
      if (!receiver.isSending && !this.isHandedOff) void this.send(receiver);
    }
  }

  /**
   * Waits, without letting a cancellation cut it short, until every queue is empty or `notificationDrainMs`
   * has passed; then hands what is left to the outbox. Never throws.
   */
  async drain(): Promise<void> {
    const isIdle = () =>
      this.receivers.every((receiver) => receiver.queue.length === 0 && !receiver.isSending);
    try {
      // Nothing in flight (every ending event filtered out, all delivered): no timer to record.
      if (isIdle()) return;
      await CancellationScope.nonCancellable(async () => {
        if (await condition(isIdle, notificationDrainMs)) return;
        await this.handOff();
      });
    } catch {
      // Never fail a release or a train over its notifications.
    }
  }

  /** Notes a problem in the owner's timeline (`notification_failed`). */
  recordFailure(message: string, details?: Record<string, unknown>): void {
    this.owner.record({
      at: new Date(Date.now()).toISOString(),
      event: 'notification_failed',
      message,
      ...(details ? { details } : {}),
    });
  }

  /**
   * Starts the outbox with each receiver's queue as it is now (the head, possibly in flight, included) and
   * waits only until it has started. From here the loops send nothing new: the queues are the outbox's.
   * ABANDON: the outbox outlives the owner's workflow, which completes right after.
   */
  private async handOff(): Promise<void> {
    this.isHandedOff = true;
    const queued = this.receivers
      .filter((receiver) => receiver.queue.length > 0)
      .map((receiver) => ({ webhook: receiver.target.webhook, queue: [...receiver.queue] }));
    const capped = capOutboxQueues(queued);
    // patched() only when the cap bites: every hand-over recorded before it was under the cap.
    const isCapped = capped.dropped.length > 0 && patched(outboxCapPatch);
    const receivers = isCapped ? capped.receivers : queued;
    if (isCapped) {
      for (const { webhook, events } of capped.dropped)
        this.recordFailure(
          `${events.length} notification(s) to ${originOf(webhook)} dropped at the hand-over to the outbox, whose input is capped at ${maxOutboxInputBytes / 1024} KiB: ${events
            .slice(0, 5)
            .map((e) => `${e.eventId} (${e.event})`)
            .join(', ')}${events.length > 5 ? `, and ${events.length - 5} more` : ''}`,
          { eventIds: events.map((e) => e.eventId) },
        );
    }
    const left = receivers.reduce((total, receiver) => total + receiver.queue.length, 0);
    const releaseId = this.owner.outboxKey();
    const workflowId = notificationOutboxWorkflowId(releaseId);
    try {
      await startChild(notificationOutbox, {
        workflowId,
        args: [{ releaseId, receivers }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        staticSummary: `notifications of ${this.owner.outboxSubject} (${releaseId})`,
      });
      this.owner.record({
        at: new Date(Date.now()).toISOString(),
        event: 'notifications_handed_off',
        message: `${left} notification(s) not yet delivered ${notificationDrainMs / 1000} s after the ${this.owner.kind}'s end; the outbox workflow ${workflowId} delivers them`,
        details: { outboxWorkflowId: workflowId, left },
      });
    } catch (error) {
      this.recordFailure(
        `${left} notification(s) not delivered: the outbox could not start (${messageOf(error)}); given up`,
      );
    }
  }

  /** Sends a receiver's queue, oldest first, one at a time; the owner's cancellation does not stop it. */
  private async send(receiver: Receiver): Promise<void> {
    receiver.isSending = true;
    const onGivenUp = (item: QueuedNotification, reason: string) => {
      // Handed off: the outbox sends that event again, and says itself if it gives up.
      if (this.isHandedOff) return;
      this.recordFailure(
        `notification ${item.eventId} (${item.event}) to ${originOf(receiver.target.webhook)} given up: ${reason}`,
        { eventId: item.eventId, event: item.event },
      );
    };
    try {
      await CancellationScope.nonCancellable(() =>
        deliverInOrder(receiver.target.webhook, receiver.queue, onGivenUp, () => this.isHandedOff),
      );
    } catch {
      // Never fail a release or a train over its notifications.
    } finally {
      receiver.isSending = false;
    }
  }
}
