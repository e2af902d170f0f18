import { followTrain, trainStatus } from './api.js';
import { TrainControls } from './controls.js';
import { html } from './html.js';
import { ConnectionState, NotLoaded, Timeline, useLiveStatus } from './live-status.js';
import { phaseLabel } from './release-view.js';
import { TimeText, useNow } from './time-text.js';
import { trainRequestedBy, waveProgress } from './train-view.js';
import { TargetItem, TrainOutcomeBadge } from './trains-list.js';

function TrainSummary({ status, now }) {
  const progress = waveProgress(status);
  return html`<dl class="summary">
    <div><dt>Phase</dt><dd class="phase" data-phase=${status.phase}>${phaseLabel(status.phase)}${status.awaitingApproval ? ' (approval)' : ''}</dd></div>
    <div><dt>Wave</dt><dd data-wave=${progress.wave}>${progress.wave} of ${progress.waveCount}</dd></div>
    <div><dt>Targets ended</dt><dd>${progress.endedTargets} of ${progress.targetCount}</dd></div>
    <div><dt>On failure</dt><dd>${status.onFailure}</dd></div>
    <div><dt>Started</dt><dd><${TimeText} iso=${status.startedAt} now=${now} /></dd></div>
    <div><dt>${status.endedAt ? 'Ended' : 'By'}</dt><dd>${status.endedAt ? html`<${TimeText} iso=${status.endedAt} now=${now} />` : (trainRequestedBy(status) ?? html`<span class="muted">—</span>`)}</dd></div>
  </dl>`;
}

function Waves({ status }) {
  return html`<section class="panel" aria-labelledby="waves-title">
    <h2 id="waves-title">Waves</h2>
    <ol class="waves">
      ${status.waves.map(
        (wave, index) => html`<li key=${index} class=${`wave ${wave.state}`} data-wave=${index}
          aria-current=${index === status.waveIndex && status.outcome === null ? 'step' : undefined}>
          <div class="wave-head">
            <strong>${index + 1}. ${wave.name}</strong>
            <span class=${`badge wave-state ${wave.state}`}>${phaseLabel(wave.state)}</span>
            <span class="muted">${wave.maxParallel ? `${wave.maxParallel} at once` : 'all at once'}${wave.requiresApproval ? ', approval first' : ''}</span>
          </div>
          <ul class="targets">
            ${wave.targets.map(
              (target) =>
                html`<${TargetItem} target=${target} />${target.message ? html`<li class="target-message">${target.message}</li>` : null}`,
            )}
          </ul>
        </li>`,
      )}
    </ol>
  </section>`;
}

/** A train: its waves, their targets (each a link to its release) and their phases, live from the train's stream. */
export function TrainPage({ id, me }) {
  const { status, setStatus, error, connection } = useLiveStatus(id, trainStatus, followTrain);
  const now = useNow(1000);

  if (error || !status) return html`<${NotLoaded} title="Train" error=${error} />`;
  return html`<article class="release train" aria-labelledby="train-title">
    <div class="page-head">
      <h1 id="train-title">${status.name} <span class="region">train</span></h1>
      <p class="head-badges">
        <${TrainOutcomeBadge} outcome=${status.outcome} />
        <${ConnectionState} status=${status} connection=${connection} />
      </p>
    </div>
    <${TrainSummary} status=${status} now=${now} />
    <div class="columns">
      <div class="main-column">
        <${Waves} status=${status} />
        <${Timeline} status=${status} now=${now} />
      </div>
      <aside class="side-column">
        <${TrainControls} status=${status} me=${me} onStatus=${setStatus} />
        <section class="panel" aria-labelledby="train-facts-title">
          <h2 id="train-facts-title">Train</h2>
          <dl class="facts">
            <dt>Requested by</dt><dd data-fact="requestedBy">${trainRequestedBy(status) ?? '—'}</dd>
            <dt>Train id</dt><dd class="mono">${status.id}</dd>
          </dl>
        </section>
      </aside>
    </div>
  </article>`;
}
