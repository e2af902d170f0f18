import { createHmac } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { classifyWebhookStatus } from '../aws/classify-error.ts';
import type { NotificationEventType } from '../domain/notifications.ts';
import { notificationDeliveries } from '../observability/metrics.ts';
import { activityFailure, classifiedFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';

export interface DeliverNotificationInput {
  webhook: string;
  /** The exact bytes to send, built by the workflow when the event happened. */
  body: string;
  /** `<releaseId>/<sequence>`: the Idempotency-Key, the same on every attempt. */
  eventId: string;
  event: NotificationEventType;
}

export interface DeliveredNotification {
  httpStatus: number;
  attempt: number;
}

/** One attempt's HTTP deadline; the workflow's start-to-close outlasts it, so attempts never overlap. */
export const deliveryAttemptTimeoutMs = 10_000;

/** `sha256=<hex>` of HMAC-SHA256 over the exact body: what `X-Ramp-Signature` carries. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The host a timeline or log line may name: a Slack webhook's path is its secret. */
export function webhookOrigin(webhook: string): string {
  try {
    return new URL(webhook).origin;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * POSTs one event to one receiver. The secret comes from the worker (`RAMP_NOTIFY_SECRET`), never from
 * the workflow's input, so it is in no history. Errors are classified once (classifyWebhookStatus, and
 * classifyAwsError for requests that got no answer): the workflow's retry policy retries the transient
 * ones with backoff until the event's deadline and gives up at once on a refusal.
 */
export function createDeliverNotification(deps: ActivityDeps) {
  return async function deliverNotification(input: DeliverNotificationInput): Promise<DeliveredNotification> {
    const context = Context.current();
    const operation = `notification ${input.eventId} (${input.event}) to ${webhookOrigin(input.webhook)}`;
    const secret = deps.notify?.secret;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Ramp-Notifications/1',
      'idempotency-key': input.eventId,
      'x-ramp-event': input.event,
      'x-ramp-delivery-attempt': String(context.info.attempt),
      ...(secret ? { 'x-ramp-signature': signatureOf(secret, input.body) } : {}),
    };
    let response: Response;
    try {
      response = await fetch(input.webhook, {
        method: 'POST',
        headers,
        body: input.body,
        // A redirect is answered like any other non-2xx: a refusal (the body must not follow it elsewhere).
        redirect: 'manual',
        signal: AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(deliveryAttemptTimeoutMs)]),
      });
      // The body is not ours to read, but an unread one keeps the connection busy.
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      if (context.cancellationSignal.aborted) {
        throw new CancelledFailure(
          `${operation} cancelled`,
          undefined,
          error instanceof Error ? error : undefined,
        );
      }
      notificationDeliveries.inc({ result: 'retried' });
      throw activityFailure(operation, error);
    }
    if (response.ok) {
      notificationDeliveries.inc({ result: 'delivered' });
      return { httpStatus: response.status, attempt: context.info.attempt };
    }
    const classified = classifyWebhookStatus(response.status, response.headers.get('retry-after'));
    const failure = classifiedFailure(operation, classified, { eventId: input.eventId });
    notificationDeliveries.inc({ result: failure.nonRetryable ? 'refused' : 'retried' });
    throw failure;
  };
}
