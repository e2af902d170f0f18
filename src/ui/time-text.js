import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { countdown, relativeTime } from './release-view.js';

/** The current time, refreshed every `intervalMs`, for relative times and countdowns. */
export function useNow(intervalMs = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function absoluteTime(iso) {
  return new Date(iso).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

/** A time both ways: relative in the text, absolute beside it (or in the tooltip when `compact`). */
export function TimeText({ iso, now, compact = false }) {
  if (!iso) return html`<span class="muted">—</span>`;
  const absolute = absoluteTime(iso);
  return html`<time datetime=${iso} title=${absolute}>
    <span class="relative">${relativeTime(iso, now)}</span>
    ${compact ? null : html`<span class="absolute">${absolute}</span>`}
  </time>`;
}

export function Countdown({ iso, now }) {
  return html`<time class="countdown" datetime=${iso} title=${absoluteTime(iso)}>${countdown(iso, now)}</time>`;
}
