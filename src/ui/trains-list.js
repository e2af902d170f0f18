import { useState } from 'preact/hooks';
import { listTrains, trainStatus } from './api.js';
import { html } from './html.js';
import { useListedStatuses } from './read-statuses.js';
import { phaseLabel, sortReleases } from './release-view.js';
import { Link } from './router.js';
import { TimeText } from './time-text.js';
import { trainMatches, trainRequestedBy, waveProgress } from './train-view.js';
import { WeightMeter } from './weight-meter.js';

export function TrainOutcomeBadge({ outcome, isRunning }) {
  if (!outcome) return html`<span class="badge running">${isRunning === false ? 'ended' : 'running'}</span>`;
  return html`<span class=${`badge ${outcome}`}>${phaseLabel(outcome)}</span>`;
}

/** One target of a wave: a link to its release once it has one, its phase or outcome, and its weight. */
export function TargetItem({ target }) {
  const name = `${target.function}:${target.alias}`;
  return html`<li class="target" data-target=${`${name}@${target.region}`}>
    ${target.releaseId ? html`<${Link} href=${`/ui/releases/${encodeURIComponent(target.releaseId)}`}>${name}</${Link}>` : html`<span>${name}</span>`}
    <span class="muted">${target.region}</span>
    <span class="target-state">${target.outcome ? html`<span class=${`badge ${target.outcome}`}>${phaseLabel(target.outcome)}</span>` : phaseLabel(target.phase)}</span>
    <${WeightMeter} percent=${target.releaseId ? target.candidateWeightPercent : undefined} />
  </li>`;
}

/** A train's waves, each with its state and its targets: what a train row unfolds to. */
export function WaveList({ status, id }) {
  return html`<ol class="waves" id=${id}>
    ${status.waves.map(
      (wave, index) => html`<li key=${index} class=${`wave ${wave.state}`} data-wave=${index}>
        <div class="wave-head">
          <strong>${wave.name}</strong>
          <span class=${`badge wave-state ${wave.state}`}>${phaseLabel(wave.state)}</span>
          <span class="muted">${wave.targets.length} target${wave.targets.length === 1 ? '' : 's'}${wave.maxParallel ? `, ${wave.maxParallel} at once` : ''}${wave.requiresApproval ? ', approval first' : ''}</span>
        </div>
        <ul class="targets">${wave.targets.map((target) => html`<${TargetItem} target=${target} />`)}</ul>
      </li>`,
    )}
  </ol>`;
}

/**
 * The trains in the dashboard's list: one row per train (name, state, wave progress, started, by whom,
 * outcome), each unfolding to its waves and their targets. The same filters as the releases (the API
 * filters by running; outcome and function are matched here), refreshed like the releases list. Absent
 * while no train matches, so a release-only setup sees the list it always did.
 */
export function TrainsList({ filters, now }) {
  const [trains, setTrains] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [open, setOpen] = useState(() => new Set());
  const running = filters.running;
  const { statuses } = useListedStatuses(
    {
      list: (signal) => {
        const params = new URLSearchParams({ pageSize: '50', ...(running ? { running } : {}) });
        return listTrains(`?${params}`, signal);
      },
      itemsOf: (answer) => answer.trains,
      idOf: (train) => train.id,
      read: trainStatus,
      onListed: (answer) => {
        setTrains(answer.trains);
        setError(undefined);
      },
      // An API without trains (its routes not mounted) answers 404: the list just has none.
      onError: (caught) => (caught.status === 404 ? setTrains([]) : setError(caught.message)),
    },
    [running],
  );

  const rows = sortReleases(trains ?? []).filter((train) =>
    trainMatches(filters, train, statuses.get(train.id)),
  );
  if (error) return html`<p class="error" role="alert">Could not list trains: ${error}</p>`;
  if (rows.length === 0) return null;
  const toggle = (id) =>
    setOpen((before) => {
      const after = new Set(before);
      if (after.has(id)) after.delete(id);
      else after.add(id);
      return after;
    });

  return html`<section class="trains-section" aria-labelledby="trains-title">
    <h2 id="trains-title" class="trains-title">Trains</h2>
    <table class="releases trains">
      <caption class="visually-hidden">Trains, running first, then newest first; each unfolds to its waves</caption>
      <colgroup>
        <col class="c-release" /><col class="c-phase" /><col class="c-progress" />
        <col class="c-started" /><col class="c-by" /><col class="c-outcome" />
      </colgroup>
      <thead><tr>
        <th scope="col">Train</th><th scope="col">State</th><th scope="col">Progress</th>
        <th scope="col">Started</th><th scope="col">By</th><th scope="col">Outcome</th>
      </tr></thead>
      ${rows.map((train) => {
        const status = statuses.get(train.id);
        const isOpen = open.has(train.id);
        const name = status?.name ?? train.name ?? train.id;
        const wavesId = `waves-${train.id}`;
        return html`<tbody key=${train.id} data-train-id=${train.id}>
          <tr class=${train.isRunning ? 'is-running' : ''}>
            <td data-label="Train">
              <span class="train-name">
                <button type="button" class="fold" aria-expanded=${isOpen ? 'true' : 'false'} aria-controls=${wavesId}
                  aria-label=${`${isOpen ? 'Hide' : 'Show'} the waves of ${name}`} disabled=${!status}
                  onClick=${() => toggle(train.id)}>${isOpen ? '▾' : '▸'}</button>
                <${Link} href=${`/ui/trains/${encodeURIComponent(train.id)}`}>${name}</${Link}>
              </span>
            </td>
            <td data-label="State" class="phase">${phaseLabel(status?.phase ?? train.phase)}</td>
            <td data-label="Progress" class="progress">${status ? waveProgress(status).label : html`<span class="muted">—</span>`}</td>
            <td data-label="Started"><${TimeText} iso=${train.startedAt} now=${now} /></td>
            <td data-label="By">${(status && trainRequestedBy(status)) ?? html`<span class="muted">—</span>`}</td>
            <td data-label="Outcome"><${TrainOutcomeBadge} outcome=${train.outcome} isRunning=${train.isRunning} /></td>
          </tr>
          ${isOpen && status ? html`<tr class="train-waves"><td colspan="6"><${WaveList} status=${status} id=${wavesId} /></td></tr>` : null}
        </tbody>`;
      })}
    </table>
  </section>`;
}
