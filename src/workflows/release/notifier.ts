/**
 * Release notifications, told to webhooks by the `deliverNotification` activity. The release never waits
 * for them while it runs and never fails because of them: each event is queued when it happens and a
 * background loop per receiver sends the queue in order, one event at a time (the activity retries with
 * backoff for up to an hour per event), so a receiver that is down for minutes gets every event, once, in
 * order, when it is back.
 *
 * The ending never blocks the alias: `drain()` gives the queues a short, fixed time
 * (`notificationDrainMs`) to empty; whatever is still queued then, per receiver and in order, including
 * the event being delivered at that moment, is handed to a detached child workflow, the notification
 * outbox (notification-outbox.ts), and the release's workflow completes at once, so a new release of the
 * same alias can start. The event in flight at the hand-over may reach its receiver twice, with the same
 * Idempotency-Key (receivers dedupe on it).
 *
 * Only releases whose input names targets use it, behind `notificationsPatch`: the rest record nothing
 * new and replay as before.
 */
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  ParentClosePolicy,
  patched,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import {
  buildNotification,
  endingMessage,
  type NotificationEventType,
  type NotifyConfig,
  type NotifyTarget,
  notificationBody,
  notificationEventOfEntry,
  notificationEventOfOutcome,
  notificationOutboxWorkflowId,
  type QueuedNotification,
  wantsEvent,
} from '../../domain/notifications.ts';
import { releaseIdOf, releaseWorkflowId } from '../../domain/release-id.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import { appendTimeline } from '../../domain/release-state.ts';
import type { ReleaseStatus, TimelineEntry } from '../../domain/release-status.ts';
import { notificationsPatch } from './messages.ts';
import { deliverInOrder, messageOf, originOf } from './notification-delivery.ts';
import { notificationOutbox } from './notification-outbox.ts';

/**
 * How long a finished release waits for its queued notifications before handing what is left to its
 * outbox: long enough for receivers that are up to take the ending event, short enough that the alias is
 * free for the next release within seconds.
 */
export const notificationDrainMs = 15_000;

interface Receiver {
  target: NotifyTarget;
  queue: QueuedNotification[];
  isSending: boolean;
}

export class Notifier {
  private readonly receivers: Receiver[];
  private readonly config: NotifyConfig | undefined;
  private sequence = 0;
  /** Set once the outbox holds what was left: nothing more is sent from here. */
  private isHandedOff = false;

  constructor(
    private readonly input: ReleaseInput,
    private readonly status: ReleaseStatus,
  ) {
    const targets = input.notify?.targets ?? [];
    // patched() only where there is something to send: a release without targets records no marker.
    this.config = targets.length > 0 && patched(notificationsPatch) ? input.notify : undefined;
    this.receivers = (this.config?.targets ?? []).map((target) => ({ target, queue: [], isSending: false }));
  }

  /** A timeline entry was written: when it is an event (started, weight_changed, paused, awaiting_approval), queue it. */
  hear(entry: TimelineEntry): void {
    if (!this.config) return;
    const event = notificationEventOfEntry(entry);
    if (event) this.enqueue(event, entry.at, entry.message);
  }

  /**
   * Queues the ending event (from the outcome) and waits, without letting a cancellation cut it short, until
   * every queue is empty or `notificationDrainMs` has passed; then hands what is left to the outbox. Never
   * throws.
   */
  async drain(): Promise<void> {
    if (!this.config) return;
    const { status } = this;
    if (status.outcome)
      this.enqueue(
        notificationEventOfOutcome(status.outcome),
        status.endedAt ?? status.startedAt,
        endingMessage(status),
      );
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
      // Never fail a release over its notifications.
    }
  }

  /**
   * Starts the outbox with each receiver's queue as it is now (the head, possibly in flight, included) and
   * waits only until it has started. From here the release's loops send nothing new: the queues are the
   * outbox's. ABANDON: the outbox outlives the release's workflow, which completes right after.
   */
  private async handOff(): Promise<void> {
    this.isHandedOff = true;
    const receivers = this.receivers
      .filter((receiver) => receiver.queue.length > 0)
      .map((receiver) => ({ webhook: receiver.target.webhook, queue: [...receiver.queue] }));
    const left = receivers.reduce((total, receiver) => total + receiver.queue.length, 0);
    // The release id as the API names the workflow (from the input, not workflowInfo().workflowId): the same
    // as status.releaseId on a worker, and still the recorded child id when a replay runs under another name.
    const releaseId = releaseIdOf(releaseWorkflowId(this.input), workflowInfo().runId);
    const workflowId = notificationOutboxWorkflowId(releaseId);
    try {
      await startChild(notificationOutbox, {
        workflowId,
        args: [{ releaseId, receivers }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        staticSummary: `notifications of ${this.status.functionName}:${this.status.alias} (${releaseId})`,
      });
      appendTimeline(this.status, {
        at: new Date(Date.now()).toISOString(),
        event: 'notifications_handed_off',
        message: `${left} notification(s) not yet delivered ${notificationDrainMs / 1000} s after the release's end; the outbox workflow ${workflowId} delivers them`,
        details: { outboxWorkflowId: workflowId, left },
      });
    } catch (error) {
      this.record(
        `${left} notification(s) not delivered: the outbox could not start (${messageOf(error)}); given up`,
      );
    }
  }

  private enqueue(event: NotificationEventType, at: string, message: string): void {
    try {
      const notification = buildNotification({
        event,
        sequence: ++this.sequence,
        at,
        message,
        status: this.status,
        ...(this.config?.publicUrl ? { publicUrl: this.config.publicUrl } : {}),
        ...(this.input.requestedBy ? { requestedBy: this.input.requestedBy } : {}),
        ...(this.input.description ? { description: this.input.description } : {}),
      });
      for (const receiver of this.receivers) {
        if (!wantsEvent(receiver.target, event)) continue;
        receiver.queue.push({
          eventId: notification.id,
          event,
          body: notificationBody(receiver.target.format, notification),
        });
        if (!receiver.isSending && !this.isHandedOff) void this.send(receiver);
      }
    } catch (error) {
      this.record(`notification ${event} could not be built: ${messageOf(error)}`);
    }
  }

  /** Sends a receiver's queue, oldest first, one at a time; a release's cancellation does not stop it. */
  private async send(receiver: Receiver): Promise<void> {
    receiver.isSending = true;
    const onGivenUp = (item: QueuedNotification, reason: string) => {
      // Handed off: the outbox sends that event again, and says itself if it gives up.
      if (this.isHandedOff) return;
      this.record(
        `notification ${item.eventId} (${item.event}) to ${originOf(receiver.target.webhook)} given up: ${reason}`,
        { eventId: item.eventId, event: item.event },
      );
    };
    try {
      await CancellationScope.nonCancellable(() =>
        deliverInOrder(receiver.target.webhook, receiver.queue, onGivenUp, () => this.isHandedOff),
      );
    } catch {
      // Never fail a release over its notifications.
    } finally {
      receiver.isSending = false;
    }
  }

  /** Straight to the timeline, not through the release's `note`: a delivery problem is not itself an event. */
  private record(message: string, details?: Record<string, unknown>): void {
    appendTimeline(this.status, {
      at: new Date(Date.now()).toISOString(),
      event: 'notification_failed',
      message,
      ...(details ? { details } : {}),
    });
  }
}
