/**
 * What a release's (or train's) notification outbox did after the release's workflow closed, told in the
 * release's own timeline when its status is read: the outbox's own history holds it (its result), since the
 * release's history is closed by then. Read only for a release whose timeline says it handed events over.
 */
import type { Client } from '@temporalio/client';
import type { NotificationOutboxResult } from '../domain/notifications.ts';
import type { TimelineEntry } from '../domain/release-status.ts';

export async function withOutboxOutcome<T extends { timeline: TimelineEntry[] }>(
  client: Client,
  status: T,
): Promise<T> {
  const handedOff = status.timeline.find((entry) => entry.event === 'notifications_handed_off');
  const outboxId = handedOff?.details?.outboxWorkflowId;
  if (typeof outboxId !== 'string') return status;
  try {
    const handle = client.workflow.getHandle(outboxId);
    const description = await handle.describe();
    // Still delivering (or gone some other way): nothing to tell yet beyond the hand-over itself.
    if (description.status.name !== 'COMPLETED') return status;
    const result = (await handle.result()) as NotificationOutboxResult;
    const at = (description.closeTime ?? new Date()).toISOString();
    const entries: TimelineEntry[] = result.givenUp.map((given) => ({
      at,
      event: 'notification_failed',
      message: `notification ${given.eventId} (${given.event}) to ${given.receiver} given up by the outbox: ${given.reason}`,
      details: { eventId: given.eventId, event: given.event, outboxWorkflowId: outboxId },
    }));
    entries.push({
      at,
      event: 'notifications_outbox_ended',
      message: `the outbox ${outboxId} delivered ${result.delivered} notification(s)${result.givenUp.length > 0 ? ` and gave up ${result.givenUp.length}` : ''}`,
      details: { outboxWorkflowId: outboxId, delivered: result.delivered, givenUp: result.givenUp.length },
    });
    return { ...status, timeline: [...status.timeline, ...entries] };
  } catch {
    // Retention removed the outbox, or Temporal did not answer: the release's own status stands.
    return status;
  }
}
