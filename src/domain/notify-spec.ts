import { z } from 'zod';
import { notificationEvents } from './notifications.ts';

/**
 * The `notify` part of a release spec, and the shape of the server's default list (`RAMP_NOTIFY_FILE`):
 * where the release's notifications go. `https://` anywhere; `http://` only to a receiver on this machine
 * or a private network, where a signed body in clear text stays inside.
 */

/** The host of an `http://` webhook may be loopback, RFC 1918 (IPv4) or unique-local / loopback (IPv6). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (host.includes(':')) {
    // ::1 (loopback) and fc00::/7 (unique local addresses, RFC 4193).
    return host === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(host);
  }
  return false;
}

/** Why `url` cannot be a webhook, or undefined when it can. */
export function webhookProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.username || parsed.password) return 'a webhook URL must not carry credentials';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    return isPrivateHost(parsed.hostname)
      ? undefined
      : `http:// is allowed only for loopback and private receivers (127.0.0.0/8, 10/8, 172.16/12, 192.168/16, ::1, fc00::/7); use https:// for ${parsed.hostname}`;
  }
  return `a webhook must be https:// (or http:// to a private receiver), not ${parsed.protocol}//`;
}

export const notifyTargetSchema = z.strictObject({
  webhook: z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = webhookProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('Where to POST: https://…, or http:// to a loopback or private (RFC 1918, fc00::/7) receiver.'),
  events: z
    .array(z.enum(notificationEvents))
    .min(1)
    .optional()
    .describe('Which events to send (all by default).'),
  format: z
    .enum(['json', 'slack'])
    .default('json')
    .describe('`json`: Ramp’s event object; `slack`: a Slack incoming-webhook message (Block Kit).'),
});

export const maxNotifyTargets = 10;

export const notifyListSchema = z
  .array(notifyTargetSchema)
  .max(maxNotifyTargets)
  .describe('Webhooks told about the release’s progress (docs/notifications.md).');

export type NotifyTargetSpec = z.output<typeof notifyTargetSchema>;
