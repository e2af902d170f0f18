/**
 * The notification outbox: a workflow a release starts, detached, when it ends with notifications still
 * queued (a receiver is down), so that the release's own workflow can complete at once and free its alias.
 * It sends each receiver's queue on, in order, with the same activity and retry policy as the release
 * (an hour per event), then ends. Its workflow id is derived from the release id
 * (`notificationOutboxWorkflowId`); what it gave up is in its result and its log, since the release's
 * timeline is closed by then.
 */
import { log } from '@temporalio/workflow';
import type {
  NotificationOutboxInput,
  NotificationOutboxResult,
  QueuedNotification,
} from '../../domain/notifications.ts';
import { deliverInOrder, originOf } from './notification-delivery.ts';

export async function notificationOutbox(input: NotificationOutboxInput): Promise<NotificationOutboxResult> {
  const result: NotificationOutboxResult = { delivered: 0, givenUp: [] };
  await Promise.all(
    input.receivers.map(async ({ webhook, queue }) => {
      const receiver = originOf(webhook);
      const onGivenUp = (item: QueuedNotification, reason: string) => {
        result.givenUp.push({ eventId: item.eventId, event: item.event, receiver, reason });
        log.warn('notification given up', {
          releaseId: input.releaseId,
          eventId: item.eventId,
          receiver,
          reason,
        });
      };
      result.delivered += await deliverInOrder(webhook, [...queue], onGivenUp);
    }),
  );
  return result;
}
