/**
 * What a release's page and a train's page share: their status, read once and then followed on the
 * API's event stream, and the timeline panel of that status.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { TimeText } from './time-text.js';

/**
 * The status of release or train `id`: read once with `read(id, signal)` (the page shows something at
 * once), then kept up to date by `follow(id, handlers)`, which returns a function that stops following.
 * Only a new `id` reads and subscribes again: a `read` or `follow` made during render is a new function
 * every render (every second's tick), and following on it reopened the stream each time, in a loop, since
 * each new stream's first status renders again (the page then opened dozens of streams a second).
 * Returns the status (undefined while loading), its setter (a control's answer is newer than the stream),
 * the read's error and the stream's connection state.
 */
export function useLiveStatus(id, read, follow) {
  const [status, setStatus] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [connection, setConnection] = useState('connecting');
  const source = useRef({ read, follow });
  source.current = { read, follow };

  useEffect(() => {
    const controller = new AbortController();
    source.current.read(id, controller.signal).then(setStatus, (caught) => {
      if (!controller.signal.aborted) setError(caught);
    });
    const stop = source.current.follow(id, { onStatus: setStatus, onConnection: setConnection });
    return () => {
      controller.abort();
      stop();
    };
  }, [id]);

  return { status, setStatus, error, connection };
}

/** The status's timeline, folded: each entry's time, event and message. */
export function Timeline({ status, now }) {
  return html`<details class="panel timeline">
    <summary><h2>Timeline (${status.timeline.length} entries)</h2></summary>
    <ol>
      ${status.timeline.map(
        (entry, index) => html`<li key=${index}>
        <${TimeText} iso=${entry.at} now=${now} compact />
        <span class="event mono">${entry.event}</span>
        <span>${entry.message}</span>
      </li>`,
      )}
    </ol>
  </details>`;
}

/** What a page shows until its status is read: the read's error, or that it is loading. */
export function NotLoaded({ title, error }) {
  if (error)
    return html`<section><h1>${title}</h1><p class="error" role="alert">${error.message}</p></section>`;
  return html`<section><h1>${title}</h1><p aria-busy="true">Loading…</p></section>`;
}

/** The stream's state beside the page's title; once the status has an outcome, nothing more will come. */
export function ConnectionState({ status, connection }) {
  return html`<span class=${`connection ${connection === 'live' ? 'live' : ''}`} aria-live="polite">${status.outcome ? 'ended' : connection}</span>`;
}
