/**
 * Release notifications, told to webhooks by the `deliverNotification` activity. The release never waits
 * for them and never fails because of them: each event is queued when it happens and a background loop per
 * receiver sends the queue in order, one event at a time, so a receiver that is down for minutes gets
 * every event, once, in order, when it is back (the activity retries with backoff until the event's
 * deadline). Before the workflow ends, `drain()` gives the queues a bounded time to empty.
 *
 * Only releases whose input names targets use it, behind `notificationsPatch`: the rest record nothing
 * new and replay as before.
 */
import {
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  condition,
  patched,
  proxyActivities,
} from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { nonRetryableFailureTypes } from '../../domain/failure-types.ts';
import {
  buildNotification,
  endingMessage,
  type NotificationEventType,
  type NotifyConfig,
  type NotifyTarget,
  notificationBody,
  notificationEventOfEntry,
  notificationEventOfOutcome,
  wantsEvent,
} from '../../domain/notifications.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import { appendTimeline } from '../../domain/release-state.ts';
import type { ReleaseStatus, TimelineEntry } from '../../domain/release-status.ts';
import { notificationsPatch } from './messages.ts';

/**
 * One event to one receiver: each attempt is bounded by the activity's own HTTP timeout (10 s), retried
 * with backoff capped at 30 s for up to an hour; a refusal (4xx other than 408 and 429) is final.
 */
export const notificationDelivery = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: nonRetryableFailureTypes,
  },
} satisfies ActivityOptions;

/** How long a finished release waits for its queued notifications before the workflow completes. */
export const notificationDrainMs = 10 * 60_000;

const { deliverNotification } = proxyActivities<ReleaseActivities>(notificationDelivery);

interface Queued {
  eventId: string;
  event: NotificationEventType;
  body: string;
}

interface Receiver {
  target: NotifyTarget;
  queue: Queued[];
  isSending: boolean;
}

export class Notifier {
  private readonly receivers: Receiver[];
  private readonly config: NotifyConfig | undefined;
  private sequence = 0;

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
   * every queue is empty or the drain's bound has passed. Never throws.
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
      const isDrained = await CancellationScope.nonCancellable(() => condition(isIdle, notificationDrainMs));
      if (!isDrained) {
        const left = this.receivers.reduce((total, receiver) => total + receiver.queue.length, 0);
        this.record(
          `${left} notification(s) not delivered within ${notificationDrainMs / 60_000} minutes of the release's end; given up`,
        );
      }
    } catch {
      // Never fail a release over its notifications.
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
        if (!receiver.isSending) void this.send(receiver);
      }
    } catch (error) {
      this.record(`notification ${event} could not be built: ${messageOf(error)}`);
    }
  }

  /** Sends a receiver's queue, oldest first, one at a time; a release's cancellation does not stop it. */
  private async send(receiver: Receiver): Promise<void> {
    receiver.isSending = true;
    try {
      await CancellationScope.nonCancellable(async () => {
        for (let next = receiver.queue[0]; next; next = receiver.queue[0]) {
          try {
            await deliverNotification({ webhook: receiver.target.webhook, ...next });
          } catch (error) {
            this.record(
              `notification ${next.eventId} (${next.event}) to ${originOf(receiver.target.webhook)} given up: ${messageOf(error)}`,
              { eventId: next.eventId, event: next.event },
            );
          }
          receiver.queue.shift();
        }
      });
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

/** The last cause's message: an ActivityFailure wraps the ApplicationFailure that says what happened. */
function messageOf(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}

/** Only the origin: a Slack webhook's path is its secret, and the timeline is readable by every token. */
function originOf(webhook: string): string {
  const match = /^[a-z]+:\/\/[^/?#]+/i.exec(webhook);
  return match ? match[0] : 'the webhook';
}
