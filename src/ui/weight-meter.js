import { html } from './html.js';

/** The candidate's share of traffic as a bar of fixed size, so a new figure never moves the layout. */
export function WeightMeter({ percent }) {
  if (percent === undefined || percent === null) return html`<span class="weight muted">—</span>`;
  return html`<span class="weight">
    <span class="meter" aria-hidden="true"><span class="meter-fill" style=${{ width: `${percent}%` }}></span></span>
    <span class="weight-figure" data-weight=${percent}>${percent}%</span>
  </span>`;
}
