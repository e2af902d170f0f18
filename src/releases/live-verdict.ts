/**
 * A watched release's latest health check, while its monitor runs. The monitor activity reports every
 * check in its heartbeat (src/activities/monitor-health.ts) and records a verdict in the history only when
 * the wait ends, so the status query cannot know it; the workflow's description can (its pending
 * activities), and this reads it from there, through the client's own data converter and codecs.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { HealthVerdict } from '../domain/health-verdict.ts';
import type { ReleaseStatus } from '../domain/release-status.ts';

type CurrentVerdict = NonNullable<ReleaseStatus['currentVerdict']>;

const monitorActivity = 'monitorHealth';

async function decodeFirst(client: Client, payloads: Payload[]): Promise<unknown> {
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded = payloads;
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  const [first] = decoded;
  return first ? payloadConverter.fromPayload(first) : undefined;
}

export async function currentVerdictOf(
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<CurrentVerdict | null> {
  const monitor = description.raw.pendingActivities?.find(
    (activity) => activity.activityType?.name === monitorActivity,
  );
  const payloads = monitor?.heartbeatDetails?.payloads;
  if (!monitor || !payloads?.length) return null;
  const details = (await decodeFirst(client, payloads as Payload[])) as
    | { checksRun?: number; last?: HealthVerdict }
    | undefined;
  if (!details?.last || !details.checksRun) return null;
  const seconds = Number(monitor.lastHeartbeatTime?.seconds ?? 0);
  const nanos = monitor.lastHeartbeatTime?.nanos ?? 0;
  return {
    status: details.last.status,
    message: details.last.message,
    ...(details.last.checks ? { checks: details.last.checks } : {}),
    checksRun: details.checksRun,
    at: new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString(),
  };
}
