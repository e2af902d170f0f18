/**
 * Release notifications as pure data: which timeline entries and outcomes are events, the event object a
 * receiver gets (JSON), and the same event as a Slack message (Block Kit). Workflow-safe: no I/O, no
 * clock, no zod; the workflow builds each body once, when the event happens, and an activity only signs
 * and sends it (src/activities/deliver-notification.ts). docs/notifications.md shows every shape.
 */
import type { HealthVerdict } from './health-verdict.ts';
import type { ReleaseOutcome, ReleaseStatus, TimelineEntry } from './release-status.ts';
import { escapeMrkdwn, phaseText, type SlackMessage, slackEventMessage } from './slack-message.ts';

/** Event names are public API (receivers filter on them): only ever add one. */
export const notificationEvents = [
  'started',
  'weight_changed',
  'paused',
  'awaiting_approval',
  'rolled_back',
  'succeeded',
  'conflict',
  'needs_attention',
  'failed',
  // A train's own events (train-notifications.ts); its targets' releases send the ones above.
  'train_started',
  'train_paused',
  'train_awaiting_approval',
  'train_succeeded',
  'train_rolled_back',
  'train_stopped',
  'train_conflict',
  'train_needs_attention',
] as const;
export type NotificationEventType = (typeof notificationEvents)[number];

export type NotifyFormat = 'json' | 'slack';

export interface NotifyTarget {
  webhook: string;
  /** Absent: every event. */
  events?: NotificationEventType[];
  format: NotifyFormat;
}

/** What a release carries in its input: the targets (spec's and server's) and where links point. */
export interface NotifyConfig {
  targets: NotifyTarget[];
  /** The API's public URL; the dashboard is `<publicUrl>/ui`. Absent: events carry no links. */
  publicUrl?: string;
}

/** Timeline entries that are events by themselves; the ending events come from the outcome. */
const eventOfEntry: Readonly<Record<string, NotificationEventType>> = {
  started: 'started',
  weight_set: 'weight_changed',
  pause: 'paused',
  awaiting_approval: 'awaiting_approval',
};

export function notificationEventOfEntry(entry: TimelineEntry): NotificationEventType | undefined {
  return Object.hasOwn(eventOfEntry, entry.event) ? eventOfEntry[entry.event] : undefined;
}

/** `rejected` (the preflight refused, nothing written) is a failure to start: `failed`, with the outcome. */
export function notificationEventOfOutcome(outcome: ReleaseOutcome): NotificationEventType {
  return outcome === 'rejected' ? 'failed' : outcome;
}

export function wantsEvent(target: NotifyTarget, event: NotificationEventType): boolean {
  return !target.events || target.events.includes(event);
}

/** One event, built for one receiver: what the `deliverNotification` activity sends. */
export interface QueuedNotification {
  /** `<releaseId>/<sequence>`: the Idempotency-Key. */
  eventId: string;
  event: NotificationEventType;
  /** The exact bytes the receiver gets, built when the event happened. */
  body: string;
}

/** What a release hands its outbox when it ends with notifications still queued: each receiver's queue, in order. */
export interface NotificationOutboxInput {
  releaseId: string;
  receivers: { webhook: string; queue: QueuedNotification[] }[];
}

/**
 * The most a release (or train) hands its outbox, in body bytes over every receiver: Temporal warns on
 * payloads over 512 KiB and refuses them at 2 MiB, and a workflow input that is refused would lose every
 * event. A receiver that was down for a whole long release can hold more than this.
 */
export const maxOutboxInputBytes = 256 * 1024;

/**
 * Fits the queues handed to the outbox under `maxBytes`, each receiver getting an equal share: a queue
 * keeps its head (the event being delivered) and then its newest events (the ending last) that fit, in
 * order; the older ones between are dropped, and returned so the release can say so in its timeline.
 */
export function capOutboxQueues(
  receivers: NotificationOutboxInput['receivers'],
  maxBytes: number = maxOutboxInputBytes,
): {
  receivers: NotificationOutboxInput['receivers'];
  dropped: { webhook: string; events: QueuedNotification[] }[];
} {
  const sizeOf = (item: QueuedNotification) => item.body.length + item.eventId.length + item.event.length;
  const total = receivers.reduce((sum, r) => sum + r.queue.reduce((s, item) => s + sizeOf(item), 0), 0);
  if (total <= maxBytes) return { receivers, dropped: [] };
  const share = Math.floor(maxBytes / Math.max(1, receivers.length));
  const dropped: { webhook: string; events: QueuedNotification[] }[] = [];
  const capped = receivers.map(({ webhook, queue }) => {
    const [head, ...rest] = queue;
    if (!head) return { webhook, queue };
    let used = sizeOf(head);
    const kept: QueuedNotification[] = [];
    const lost: QueuedNotification[] = [];
    for (let index = rest.length - 1; index >= 0; index--) {
      const item = rest[index] as QueuedNotification;
      if (used + sizeOf(item) <= share && lost.length === 0) {
        kept.unshift(item);
        used += sizeOf(item);
      } else lost.unshift(item);
    }
    if (lost.length > 0) dropped.push({ webhook, events: lost });
    return { webhook, queue: [head, ...kept] };
  });
  return { receivers: capped, dropped };
}

/** How the outbox ended: how many events it delivered, and the ones it gave up (the receiver's origin only). */
export interface NotificationOutboxResult {
  delivered: number;
  givenUp: { eventId: string; event: NotificationEventType; receiver: string; reason: string }[];
}

/**
 * The outbox workflow of a release: derived from the release id, so there is one per release (a new release
 * of the same alias has a new run id, hence its own outbox) and anyone holding the release id can find it.
 */
export function notificationOutboxWorkflowId(releaseId: string): string {
  return `notifications.${releaseId}`;
}

/** The event a JSON receiver gets, exactly (and what the Slack message is drawn from). */
export interface Notification {
  /** `<releaseId>/<sequence>`: stable across retries, the `Idempotency-Key` header too. */
  id: string;
  /** 1, 2, 3… per release, in the order the events happened (and are delivered). */
  sequence: number;
  event: NotificationEventType;
  at: string;
  message: string;
  release: {
    id: string;
    function: string;
    alias: string;
    region: string;
    phase: ReleaseStatus['phase'];
    outcome: ReleaseOutcome | null;
    stableVersion: string | null;
    candidateVersion: string | null;
    candidateWeightPercent: number;
    /** 1-based step number while shifting; 0 before traffic moves. */
    step: number;
    stepCount: number;
    requestedBy?: string;
    description?: string;
  };
  /** rolled_back (by a health check) and needs_attention: the verdict that failed, with its figures. */
  verdict?: HealthVerdict;
  /** Ending events other than succeeded: what went wrong (a failure type and its message). */
  error?: { type: string; message: string };
  /** With a public URL: the release in the dashboard (approve it there) and in the API. */
  links?: { dashboard: string; api: string };
}

export interface NotificationSource {
  event: NotificationEventType;
  sequence: number;
  at: string;
  message: string;
  status: ReleaseStatus;
  publicUrl?: string;
  requestedBy?: string;
  description?: string;
}

function isVerdict(value: unknown): value is HealthVerdict {
  if (typeof value !== 'object' || value === null) return false;
  const { status, message } = value as { status?: unknown; message?: unknown };
  return (status === 'pass' || status === 'fail' || status === 'inconclusive') && typeof message === 'string';
}

/** The verdict that ended the release: the failure's own, else the last failing one in the timeline. */
function failingVerdictOf(status: ReleaseStatus): HealthVerdict | undefined {
  const own = status.lastError?.details?.verdict;
  if (isVerdict(own)) return pickVerdict(own);
  for (let index = status.timeline.length - 1; index >= 0; index--) {
    const verdict = status.timeline[index]?.details?.verdict;
    if (isVerdict(verdict) && verdict.status === 'fail') return pickVerdict(verdict);
  }
  return undefined;
}

/** Only the verdict's own fields (a monitor result also counts its checks). */
function pickVerdict(verdict: HealthVerdict): HealthVerdict {
  return {
    status: verdict.status,
    message: verdict.message,
    ...(verdict.checks ? { checks: verdict.checks.map((check) => ({ ...check })) } : {}),
  };
}

const endingEvents: readonly NotificationEventType[] = [
  'rolled_back',
  'succeeded',
  'conflict',
  'needs_attention',
  'failed',
];

export function isEndingEvent(event: NotificationEventType): boolean {
  return endingEvents.includes(event);
}

/** A release's or a train's page in the dashboard (approve it there) and its status in the API. */
export function linksOf(
  publicUrl: string,
  kind: 'releases' | 'trains',
  id: string,
): { dashboard: string; api: string } {
  const base = publicUrl.replace(/\/+$/, '');
  const path = `${kind}/${encodeURIComponent(id)}`;
  return { dashboard: `${base}/ui/${path}`, api: `${base}/v1/${path}` };
}

/** The event, as a snapshot of the release when it happened (later changes do not reach it). */
export function buildNotification(source: NotificationSource): Notification {
  const { status, event } = source;
  const failure = status.lastError;
  const verdict =
    event === 'rolled_back' || event === 'needs_attention' ? failingVerdictOf(status) : undefined;
  return {
    id: `${status.releaseId}/${source.sequence}`,
    sequence: source.sequence,
    event,
    at: source.at,
    message: source.message,
    release: {
      id: status.releaseId,
      function: status.functionName,
      alias: status.alias,
      region: status.region,
      phase: status.phase,
      outcome: status.outcome,
      stableVersion: status.stableVersion,
      candidateVersion: status.candidateVersion,
      candidateWeightPercent: status.candidateWeightPercent,
      step: status.candidateWeightPercent > 0 ? Math.min(status.stepIndex + 1, status.stepCount) : 0,
      stepCount: status.stepCount,
      ...(source.requestedBy ? { requestedBy: source.requestedBy } : {}),
      ...(source.description ? { description: source.description } : {}),
    },
    ...(verdict ? { verdict } : {}),
    ...(isEndingEvent(event) && event !== 'succeeded' && failure
      ? { error: { type: failure.type, message: failure.message } }
      : {}),
    ...(source.publicUrl ? { links: linksOf(source.publicUrl, 'releases', status.releaseId) } : {}),
  };
}

/** The message of an ending event: what went wrong, or how the release ended. */
export function endingMessage(status: ReleaseStatus): string {
  if (status.outcome !== 'succeeded' && status.lastError) return status.lastError.message;
  const last = status.timeline[status.timeline.length - 1];
  return last?.message ?? `release ${status.outcome ?? 'ended'}`;
}

// --- Slack (Block Kit) ------------------------------------------------------------------------------

const headlines: Record<NotificationEventType, { emoji: string; text: string }> = {
  started: { emoji: ':rocket:', text: 'release started' },
  weight_changed: { emoji: ':twisted_rightwards_arrows:', text: 'traffic shifted' },
  paused: { emoji: ':double_vertical_bar:', text: 'release paused' },
  awaiting_approval: { emoji: ':raised_hand:', text: 'waiting for approval' },
  rolled_back: { emoji: ':rewind:', text: 'rolled back' },
  succeeded: { emoji: ':white_check_mark:', text: 'released' },
  conflict: { emoji: ':warning:', text: 'stopped by a conflict' },
  needs_attention: { emoji: ':rotating_light:', text: 'needs attention' },
  failed: { emoji: ':x:', text: 'release failed' },
  train_started: { emoji: ':steam_locomotive:', text: 'started' },
  train_paused: { emoji: ':double_vertical_bar:', text: 'paused' },
  train_awaiting_approval: { emoji: ':raised_hand:', text: 'waits for approval' },
  train_succeeded: { emoji: ':white_check_mark:', text: 'released' },
  train_rolled_back: { emoji: ':rewind:', text: 'rolled back' },
  train_stopped: { emoji: ':octagonal_sign:', text: 'stopped' },
  train_conflict: { emoji: ':warning:', text: 'stopped by a conflict' },
  train_needs_attention: { emoji: ':rotating_light:', text: 'needs attention' },
};

export function headlineOf(event: NotificationEventType): { emoji: string; text: string } {
  return headlines[event];
}

function describeWeight(release: Notification['release']): string {
  const candidate = release.candidateVersion ? `version ${release.candidateVersion}` : 'the candidate';
  const stable = release.stableVersion ? ` (stable: version ${release.stableVersion})` : '';
  return `${release.candidateWeightPercent}% on ${candidate}${stable}`;
}

function describeStep(release: Notification['release']): string {
  if (release.candidateWeightPercent === 100) return 'all traffic';
  return release.step > 0 ? `${release.step} of ${release.stepCount}` : 'no traffic';
}

function describeVerdict(verdict: HealthVerdict): string {
  const lines = [`*Verdict: ${verdict.status}* — ${escapeMrkdwn(verdict.message)}`];
  for (const check of verdict.checks ?? []) {
    const figures = [check.measured, check.against ? `against ${check.against}` : undefined]
      .filter(Boolean)
      .join(' ');
    lines.push(
      `• ${escapeMrkdwn(check.name)}: ${check.status}${figures ? ` (${escapeMrkdwn(figures)})` : ''}`,
    );
  }
  return lines.join('\n');
}

/** The event as a Slack incoming-webhook message: function, weight, verdict, and links to the dashboard. */
export function slackMessageOf(notification: Notification): SlackMessage {
  const { release } = notification;
  const headline = headlines[notification.event];
  const subject = `${release.function}:${release.alias}`;
  const error = notification.error;
  return slackEventMessage({
    headline,
    subject,
    fallbackTitle: `${subject}: ${headline.text}`,
    message: notification.message,
    fields: [
      ['Function', `${escapeMrkdwn(subject)} (${release.region})`],
      ['Weight', describeWeight(release)],
      ['Step', describeStep(release)],
      ['Phase', phaseText(release.phase, release.outcome)],
    ],
    details: notification.verdict
      ? [describeVerdict(notification.verdict)]
      : error
        ? [`*${escapeMrkdwn(error.type)}* — ${escapeMrkdwn(error.message)}`]
        : [],
    footer: {
      subject: `Release \`${escapeMrkdwn(release.id)}\``,
      requestedBy: release.requestedBy,
      notification,
      isApproval: notification.event === 'awaiting_approval',
      openActionId: 'ramp-open-release',
      ownPath: /\/releases\/[^/]*$/,
    },
  });
}

/** The exact bytes a target receives (and that the signature covers). */
export function notificationBody(format: NotifyFormat, notification: Notification): string {
  return JSON.stringify(format === 'slack' ? slackMessageOf(notification) : notification);
}
