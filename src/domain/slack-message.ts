/**
 * Slack incoming-webhook messages (Block Kit) in the one shape every Ramp event has, a release's
 * (notifications.ts) or a train's (train-notifications.ts): a header, the event's message with its fields,
 * any details, then who and which event and the buttons to the dashboard. Workflow-safe: the workflow
 * builds each body once, when the event happens, so these bytes are what receivers get and what recorded
 * histories hold; change no character of them.
 */

/** Block Kit's documented limits (docs.slack.dev/reference/block-kit), which the message keeps to. */
export const slackLimits = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  buttonText: 75,
  url: 3000,
  id: 255,
  actionsElements: 25,
  fallbackText: 4000,
} as const;

interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
interface SlackButton {
  type: 'button';
  text: SlackText & { type: 'plain_text' };
  url: string;
  action_id: string;
  style?: 'primary' | 'danger';
}
export type SlackBlock =
  | { type: 'header'; text: SlackText & { type: 'plain_text' } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id?: string; elements: SlackButton[] };
export interface SlackMessage {
  /** The fallback shown in notifications and where blocks cannot be drawn. */
  text: string;
  blocks: SlackBlock[];
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A release's or a train's phase field: `completed: <outcome>` once it has ended. */
export function phaseText(phase: string, outcome: string | null): string {
  return outcome ? `completed: ${outcome}` : phase.replace(/_/g, ' ');
}

export interface SlackFooter {
  /** Which release or train, in mrkdwn. */
  subject: string;
  requestedBy: string | undefined;
  notification: { sequence: number; at: string; links?: { dashboard: string } };
  /** A person is waited for: the dashboard button says so and is the primary one. */
  isApproval: boolean;
  openActionId: string;
  /** The page's own part of the dashboard URL, cut off to link the list. */
  ownPath: RegExp;
}

/**
 * The end of every Slack message: who and which event, then buttons to the dashboard page (the primary one
 * when a person is waited for) and to the list it belongs to.
 */
function slackFooter(options: SlackFooter): SlackBlock[] {
  const { notification } = options;
  const context = [
    options.subject,
    ...(options.requestedBy ? [`requested by ${escapeMrkdwn(options.requestedBy)}`] : []),
    `event ${notification.sequence} at ${notification.at}`,
  ];
  const blocks: SlackBlock[] = [
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: truncate(context.join(' · '), slackLimits.sectionText) }],
    },
  ];
  if (notification.links && notification.links.dashboard.length <= slackLimits.url) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: options.isApproval ? 'Review and approve' : 'Open in Ramp' },
          url: notification.links.dashboard,
          action_id: options.openActionId,
          ...(options.isApproval ? { style: 'primary' as const } : {}),
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'All releases' },
          url: notification.links.dashboard.replace(options.ownPath, ''),
          action_id: 'ramp-open-releases',
        },
      ],
    });
  }
  return blocks;
}

/** An event as a Slack message, within Block Kit's limits. */
export function slackEventMessage(parts: {
  headline: { emoji: string; text: string };
  /** What the event is about, as the header names it (`fn:alias`, `train nightly`). */
  subject: string;
  /** The fallback's words between the emoji and the event's message. */
  fallbackTitle: string;
  message: string;
  /** Each field's bold label and its mrkdwn value. */
  fields: [label: string, value: string][];
  /** Sections (mrkdwn) after the message: what failed, and why. */
  details: string[];
  footer: SlackFooter;
}): SlackMessage {
  const { headline } = parts;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${headline.emoji} ${parts.subject} ${headline.text}`, slackLimits.headerText),
        emoji: true,
      },
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(parts.message), slackLimits.sectionText) },
      fields: parts.fields.map(
        ([label, value]): SlackText => ({
          type: 'mrkdwn',
          text: truncate(`*${label}*\n${value}`, slackLimits.fieldText),
        }),
      ),
    },
    ...parts.details.map(
      (text): SlackBlock => ({
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(text, slackLimits.sectionText) },
      }),
    ),
    ...slackFooter(parts.footer),
  ];
  return {
    text: truncate(`${headline.emoji} ${parts.fallbackTitle}: ${parts.message}`, slackLimits.fallbackText),
    blocks,
  };
}
