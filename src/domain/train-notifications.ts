/**
 * A train's own notifications as pure data: which train timeline entries and outcomes are events, the JSON
 * event a receiver gets, and the same as a Slack message. The train's targets are releases and send their
 * own events (notifications.ts) to their own `notify`; these are the train's: it started, it was paused, a
 * wave waits for an approval, and how it ended. Workflow-safe: no I/O, no clock, no zod.
 */
import { headlineOf, linksOf, type NotificationEventType, type NotifyFormat } from './notifications.ts';
import type { TimelineEntry } from './release-status.ts';
import { escapeMrkdwn, phaseText, type SlackMessage, slackEventMessage } from './slack-message.ts';
import type { TrainOutcome, TrainStatus } from './train-status.ts';

/** Train timeline entries that are events by themselves; the ending event comes from the outcome. */
const eventOfTrainEntry: Readonly<Record<string, NotificationEventType>> = {
  started: 'train_started',
  pause: 'train_paused',
  awaiting_approval: 'train_awaiting_approval',
};

export function trainEventOfEntry(entry: TimelineEntry): NotificationEventType | undefined {
  return Object.hasOwn(eventOfTrainEntry, entry.event) ? eventOfTrainEntry[entry.event] : undefined;
}

export function trainEventOfOutcome(outcome: TrainOutcome): NotificationEventType {
  return `train_${outcome}`;
}

/** At most this many targets that did not succeed are named in an ending event. */
export const maxNamedTargets = 10;

/** The event a JSON receiver gets for a train. */
export interface TrainNotification {
  /** `<trainId>/<sequence>`: stable across retries, the `Idempotency-Key` header too. */
  id: string;
  /** 1, 2, 3… per train, in the order the events happened (and are delivered). */
  sequence: number;
  event: NotificationEventType;
  at: string;
  message: string;
  train: {
    id: string;
    name: string;
    phase: TrainStatus['phase'];
    outcome: TrainOutcome | null;
    /** 1-based: the wave the train is on. */
    wave: number;
    waveCount: number;
    waveName: string;
    targetCount: number;
    endedTargets: number;
    succeededTargets: number;
    requestedBy?: string;
  };
  /** Ending events other than train_succeeded: the targets that did not succeed (at most 10), with why. */
  targets?: { function: string; alias: string; region: string; outcome: string; message: string | null }[];
  /** With a public URL: the train in the dashboard (approve it there) and in the API. */
  links?: { dashboard: string; api: string };
}

export interface TrainNotificationSource {
  event: NotificationEventType;
  sequence: number;
  at: string;
  message: string;
  status: TrainStatus;
  publicUrl?: string;
}

/** The event, as a snapshot of the train when it happened. */
export function buildTrainNotification(source: TrainNotificationSource): TrainNotification {
  const { status, event } = source;
  const targets = status.waves.flatMap((wave) => wave.targets);
  const wave = Math.min(status.waveIndex + 1, status.waves.length);
  const isFailedEnding = event !== 'train_succeeded' && status.outcome !== null;
  const unsuccessful = targets.filter(
    (t) => t.outcome !== null && t.outcome !== 'succeeded' && t.outcome !== 'not_started',
  );
  return {
    id: `${status.id}/${source.sequence}`,
    sequence: source.sequence,
    event,
    at: source.at,
    message: source.message,
    train: {
      id: status.id,
      name: status.name,
      phase: status.phase,
      outcome: status.outcome,
      wave,
      waveCount: status.waves.length,
      waveName: status.waves[wave - 1]?.name ?? '',
      targetCount: targets.length,
      endedTargets: targets.filter((t) => t.outcome !== null).length,
      succeededTargets: targets.filter((t) => t.outcome === 'succeeded').length,
      ...(status.requestedBy ? { requestedBy: status.requestedBy } : {}),
    },
    ...(isFailedEnding
      ? {
          targets: unsuccessful.slice(0, maxNamedTargets).map((t) => ({
            function: t.function,
            alias: t.alias,
            region: t.region,
            outcome: t.outcome ?? '',
            message: t.message,
          })),
        }
      : {}),
    ...(source.publicUrl ? { links: linksOf(source.publicUrl, 'trains', status.id) } : {}),
  };
}

/**
 * The message of the ending event: the train's own last words (`train rolled_back: …` names the failure),
 * with the abort that ended it when one did (`…: abort requested by bob: bad numbers`).
 */
export function trainEndingMessage(status: TrainStatus): string {
  const ended = [...status.timeline].reverse().find((entry) => entry.event === 'ended');
  const message = ended?.message ?? `train ${status.outcome ?? 'ended'}`;
  const abort = status.timeline.find((entry) => entry.event === 'abort');
  return abort ? `${message}: ${abort.message}` : message;
}

/** The train event as a Slack incoming-webhook message (Block Kit), within Slack's limits. */
export function trainSlackMessageOf(notification: TrainNotification): SlackMessage {
  const { train } = notification;
  const headline = headlineOf(notification.event);
  const subject = `train ${train.name}`;
  const targets = notification.targets ?? [];
  return slackEventMessage({
    headline,
    subject,
    fallbackTitle: `${subject} ${headline.text}`,
    message: notification.message,
    fields: [
      ['Train', escapeMrkdwn(train.name)],
      ['Wave', `${train.wave} of ${train.waveCount}: ${escapeMrkdwn(train.waveName)}`],
      ['Targets', `${train.succeededTargets} succeeded, ${train.endedTargets} of ${train.targetCount} ended`],
      ['Phase', phaseText(train.phase, train.outcome)],
    ],
    details:
      targets.length > 0
        ? [
            targets
              .map(
                (t) =>
                  `• ${escapeMrkdwn(`${t.function}:${t.alias}`)} (${t.region}): ${t.outcome}${t.message ? ` — ${escapeMrkdwn(t.message)}` : ''}`,
              )
              .join('\n'),
          ]
        : [],
    footer: {
      subject: `Train \`${escapeMrkdwn(train.id)}\``,
      requestedBy: train.requestedBy,
      notification,
      isApproval: notification.event === 'train_awaiting_approval',
      openActionId: 'ramp-open-train',
      ownPath: /\/trains\/[^/]*$/,
    },
  });
}

/** The exact bytes a target receives (and that the signature covers). */
export function trainNotificationBody(format: NotifyFormat, notification: TrainNotification): string {
  return JSON.stringify(format === 'slack' ? trainSlackMessageOf(notification) : notification);
}
