/**
 * Sending one receiver's queue of notifications, oldest first, one at a time, with the `deliverNotification`
 * activity: shared by the release's Notifier (while the release runs) and the notification outbox (after
 * it ended), so both deliver with the same retry policy and the same order.
 */
import { type ActivityOptions, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { nonRetryableFailureTypes } from '../../domain/failure-types.ts';
import type { QueuedNotification } from '../../domain/notifications.ts';

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

const { deliverNotification } = proxyActivities<ReleaseActivities>(notificationDelivery);

/**
 * Delivers `queue` to `webhook` in order. The head stays in the queue while it is being delivered, so
 * whoever takes the queue over (the outbox) sends it again, and leaves once delivered or given up
 * (`onGivenUp`, with the reason). `isStopped` is asked before each event: once it holds, nothing new is
 * sent. Returns how many events the receiver accepted.
 */
export async function deliverInOrder(
  webhook: string,
  queue: QueuedNotification[],
  onGivenUp: (item: QueuedNotification, reason: string) => void,
  isStopped: () => boolean = () => false,
): Promise<number> {
  let delivered = 0;
  for (let next = queue[0]; next && !isStopped(); next = queue[0]) {
    try {
      await deliverNotification({ webhook, ...next });
      delivered++;
    } catch (error) {
      onGivenUp(next, messageOf(error));
    }
    queue.shift();
  }
  return delivered;
}

/** The last cause's message: an ActivityFailure wraps the ApplicationFailure that says what happened. */
export function messageOf(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}

/** Only the origin: a Slack webhook's path is its secret, and the timeline is readable by every token. */
export function originOf(webhook: string): string {
  const match = /^[a-z]+:\/\/[^/?#]+/i.exec(webhook);
  return match ? match[0] : 'the webhook';
}
