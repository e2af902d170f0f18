/**
 * The part of Slack's Block Kit that Ramp's messages use, with the limits Slack documents
 * (docs.slack.dev/reference/block-kit: blocks, block elements, composition objects). Slack refuses a
 * message that breaks one (`invalid_blocks`), so the notifications' Slack format is checked against this.
 */
import { z } from 'zod';

const blockId = z.string().min(1).max(255).optional();
const plainText = (max: number) =>
  z.strictObject({
    type: z.literal('plain_text'),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  });
const mrkdwn = (max: number) =>
  z.strictObject({
    type: z.literal('mrkdwn'),
    text: z.string().min(1).max(max),
    verbatim: z.boolean().optional(),
  });
const text = (max: number) => z.union([plainText(max), mrkdwn(max)]);

const button = z.strictObject({
  type: z.literal('button'),
  text: plainText(75),
  action_id: z.string().min(1).max(255).optional(),
  url: z.url().max(3000).optional(),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
  accessibility_label: z.string().max(75).optional(),
});

const header = z.strictObject({ type: z.literal('header'), text: plainText(150), block_id: blockId });
const section = z
  .strictObject({
    type: z.literal('section'),
    text: text(3000).optional(),
    fields: z.array(text(2000)).min(1).max(10).optional(),
    block_id: blockId,
  })
  .refine((block) => block.text !== undefined || block.fields !== undefined, {
    message: 'a section needs text or fields',
  });
const context = z.strictObject({
  type: z.literal('context'),
  elements: z.array(text(3000)).min(1).max(10),
  block_id: blockId,
});
const divider = z.strictObject({ type: z.literal('divider'), block_id: blockId });
const actions = z
  .strictObject({ type: z.literal('actions'), elements: z.array(button).min(1).max(25), block_id: blockId })
  .refine((block) => new Set(block.elements.map((e) => e.action_id)).size === block.elements.length, {
    message: 'action_id must be unique within an actions block',
  });

/** An incoming-webhook message: fallback text and at most 50 blocks. */
export const slackMessageSchema = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z
    .array(z.union([header, section, context, divider, actions]))
    .min(1)
    .max(50),
});
