import { followRelease, releaseStatus } from './api.js';
import { Controls } from './controls.js';
import { html } from './html.js';
import { ConnectionState, NotLoaded, Timeline, useLiveStatus } from './live-status.js';
import { codeFacts, deadlineOf, phaseLabel, planRows, requestedByOf, verdicts } from './release-view.js';
import { OutcomeBadge } from './releases-page.js';
import { Countdown, TimeText, useNow } from './time-text.js';
import { WeightChart } from './weight-chart.js';
import { WeightMeter } from './weight-meter.js';

function Summary({ status, now }) {
  const requestedBy = requestedByOf(status);
  const deadline = deadlineOf(status);
  return html`<dl class="summary">
    <div><dt>Phase</dt><dd class="phase" data-phase=${status.phase}>${phaseLabel(status.phase)}${status.isPaused ? ' (paused)' : ''}</dd></div>
    <div><dt>Waiting</dt><dd class="bake">${deadline ? html`${deadline.label} in <${Countdown} iso=${deadline.at} now=${now} />` : html`<span class="muted">${status.awaitingApproval ? 'for an approval' : status.outcome ? 'no more' : 'not baking'}</span>`}</dd></div>
    <div><dt>Candidate weight</dt><dd class="big-weight" data-weight=${status.candidateWeightPercent}><${WeightMeter} percent=${status.candidateWeightPercent} /></dd></div>
    <div><dt>Step</dt><dd>${status.stepCount === 0 ? 'all at once' : `${Math.min(status.stepIndex + 1, status.stepCount)} of ${status.stepCount}`}</dd></div>
    <div><dt>Started</dt><dd><${TimeText} iso=${status.startedAt} now=${now} /></dd></div>
    <div><dt>${status.endedAt ? 'Ended' : 'By'}</dt><dd>${status.endedAt ? html`<${TimeText} iso=${status.endedAt} now=${now} />` : (requestedBy ?? html`<span class="muted">—</span>`)}</dd></div>
  </dl>`;
}

function Plan({ status }) {
  const rows = planRows(status);
  return html`<section class="panel" aria-labelledby="plan-title">
    <h2 id="plan-title">Plan</h2>
    ${
      rows
        ? html`<ol class="plan">
          ${rows.map(
            (
              row,
              index,
            ) => html`<li key=${index} class=${`step ${row.state}`} aria-current=${row.state === 'current' ? 'step' : undefined}>
            <span class="step-weight">${row.label}</span>
            <span class="step-what">${row.bake ? `bake ${row.bake}` : 'promote'}${row.requiresApproval ? ', then approval' : ''}</span>
            <span class="step-state">${row.state === 'current' ? 'now' : row.state === 'done' ? '✓ done' : row.state === 'stopped' ? 'stopped here' : ''}</span>
          </li>`,
          )}
        </ol>`
        : html`<p class="muted">The plan is not known yet.</p>`
    }
  </section>`;
}

function CodeAndVersions({ status, requestedBy }) {
  const { codeSha256 } = codeFacts(status);
  return html`<section class="panel" aria-labelledby="code-title">
    <h2 id="code-title">Code and versions</h2>
    <dl class="facts">
      <dt>Stable version</dt><dd>${status.stableVersion ?? '—'}</dd>
      <dt>Candidate version</dt><dd>${status.candidateVersion ?? '—'}</dd>
      <dt>CodeSha256</dt><dd class="mono" data-fact="codeSha256">${codeSha256 ?? '—'}</dd>
      <dt>Requested by</dt><dd data-fact="requestedBy">${requestedBy ?? '—'}</dd>
      <dt>Release id</dt><dd class="mono">${status.releaseId}</dd>
    </dl>
  </section>`;
}

function Problem({ error }) {
  if (!error) return null;
  // A failing verdict is shown in full under Health verdicts; here it would only repeat itself.
  const { verdict, ...details } = error.details ?? {};
  return html`<section class=${`panel problem ${error.type}`} aria-labelledby="problem-title">
    <h2 id="problem-title">${error.type === 'Conflict' ? 'Conflict' : 'What went wrong'}: <span class="mono">${error.type}</span></h2>
    <p class="problem-message">${error.message}</p>
    ${verdict ? html`<p class="muted">The failing verdict and its figures are under Health verdicts.</p>` : null}
    ${
      Object.keys(details).length > 0
        ? html`<dl class="facts">${Object.entries(details).map(
            ([key, value]) =>
              html`<dt>${key}</dt><dd><pre>${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre></dd>`,
          )}</dl>`
        : null
    }
  </section>`;
}

function Verdicts({ status, now }) {
  const list = verdicts(status);
  return html`<section class="panel" aria-labelledby="verdicts-title">
    <h2 id="verdicts-title">Health verdicts</h2>
    ${list.length === 0 ? html`<p class="muted">No verdict yet: health is judged while each step bakes.</p>` : null}
    <ol class="verdicts">
      ${list.map(
        (verdict) => html`<li class=${`verdict ${verdict.status}`} data-status=${verdict.status}>
        <div class="verdict-head">
          <span class=${`badge ${verdict.status}`}>${verdict.kind === 'hook' ? 'hook ' : ''}${verdict.status}</span>
          <${TimeText} iso=${verdict.at} now=${now} />
          ${verdict.checksRun ? html`<span class="muted">${verdict.checksRun} checks run</span>` : null}
        </div>
        <p class="verdict-message">${verdict.message}</p>
        ${
          verdict.checks.length > 0
            ? html`<table class="checks"><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Measured</th><th scope="col">Against</th></tr></thead>
              <tbody>${verdict.checks.map((check) => html`<tr class=${check.status}><td>${check.name}</td><td><span class=${`badge ${check.status}`}>${check.status}</span></td><td>${check.measured ?? '—'}</td><td>${check.against ?? '—'}</td></tr>`)}</tbody></table>`
            : null
        }
      </li>`,
      )}
    </ol>
  </section>`;
}

export function ReleasePage({ id, me }) {
  const { status, setStatus, error, connection } = useLiveStatus(id, releaseStatus, followRelease);
  const now = useNow(1000);

  if (error || !status) return html`<${NotLoaded} title="Release" error=${error} />`;
  const requestedBy = requestedByOf(status);
  // The verdicts come last in their column, so a new one grows the page downwards without moving anything.
  return html`<article class="release" aria-labelledby="release-title">
    <div class="page-head">
      <h1 id="release-title">${status.functionName}:${status.alias} <span class="region">${status.region}</span></h1>
      <p class="head-badges">
        <${OutcomeBadge} outcome=${status.outcome} />
        <${ConnectionState} status=${status} connection=${connection} />
      </p>
    </div>
    <${Summary} status=${status} now=${now} />
    <div class="columns">
      <div class="main-column">
        <section class="panel" aria-labelledby="chart-title">
          <h2 id="chart-title">Weight over time</h2>
          <${WeightChart} status=${status} now=${now} />
        </section>
        <${Problem} error=${status.lastError} />
        <${Timeline} status=${status} now=${now} />
        <${Verdicts} status=${status} now=${now} />
      </div>
      <aside class="side-column">
        <${Controls} status=${status} me=${me} onStatus=${setStatus} />
        <${Plan} status=${status} />
        <${CodeAndVersions} status=${status} requestedBy=${requestedBy} />
      </aside>
    </div>
  </article>`;
}
