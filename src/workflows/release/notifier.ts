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
 * Idempotency-Key (receivers dedupe on it). The queues themselves are notification-queues.ts, shared with
 * trains.
 *
 * Only releases whose input names targets use it, behind `notificationsPatch`: the rest record nothing
 * new and replay as before.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import {
  buildNotification,
  endingMessage,
  type NotificationEventType,
  type NotifyConfig,
  notificationBody,
  notificationEventOfEntry,
  notificationEventOfOutcome,
} from '../../domain/notifications.ts';
import { releaseIdOf, releaseWorkflowId } from '../../domain/release-id.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import { appendTimeline } from '../../domain/release-state.ts';
import type { ReleaseStatus, TimelineEntry } from '../../domain/release-status.ts';
import { notificationsPatch } from './messages.ts';
import { messageOf } from './notification-delivery.ts';
import { NotificationQueues } from './notification-queues.ts';

export { notificationDrainMs } from './notification-queues.ts';

export class Notifier {
  private readonly queues: NotificationQueues | undefined;
  private readonly config: NotifyConfig | undefined;
  private sequence = 0;

  constructor(
    private readonly input: ReleaseInput,
    private readonly status: ReleaseStatus,
  ) {
    const targets = input.notify?.targets ?? [];
    // patched() only where there is something to send: a release without targets records no marker.
    this.config = targets.length > 0 && patched(notificationsPatch) ? input.notify : undefined;
    this.queues = this.config
      ? new NotificationQueues(this.config.targets, {
          // The release id as the API names the workflow (from the input, not workflowInfo().workflowId): the
          // same as status.releaseId on a worker, and still the recorded child id when a replay runs under
          // another name.
          outboxKey: () => releaseIdOf(releaseWorkflowId(this.input), workflowInfo().runId),
          kind: 'release',
          outboxSubject: `${status.functionName}:${status.alias}`,
          record: (entry) => appendTimeline(this.status, entry),
        })
      : undefined;
  }

  /** A timeline entry was written: when it is an event (started, weight_changed, paused, awaiting_approval), queue it. */
  hear(entry: TimelineEntry): void {
    if (!this.config) return;
    const event = notificationEventOfEntry(entry);
    if (event) this.enqueue(event, entry.at, entry.message);
  }

  /** Queues the ending event (from the outcome), then drains the queues (at most `notificationDrainMs`). Never throws. */
  async drain(): Promise<void> {
    if (!this.config || !this.queues) return;
    const { status } = this;
    if (status.outcome)
      this.enqueue(
        notificationEventOfOutcome(status.outcome),
        status.endedAt ?? status.startedAt,
        endingMessage(status),
      );
    await this.queues.drain();
  }

  private enqueue(event: NotificationEventType, at: string, message: string): void {
    if (!this.queues) return;
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
      this.queues.enqueue(notification.id, event, (format) => notificationBody(format, notification));
    } catch (error) {
      this.queues.recordFailure(`notification ${event} could not be built: ${messageOf(error)}`);
    }
  }
}
