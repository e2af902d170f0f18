import { useEffect, useState } from 'preact/hooks';
import { listReleases, releaseStatus } from './api.js';
import { html } from './html.js';
import { useListedStatuses } from './read-statuses.js';
import { filtersFrom, outcomes, phaseLabel, queryOf, requestedByOf, sortReleases } from './release-view.js';
import { Link, navigate } from './router.js';
import { TimeText, useNow } from './time-text.js';
import { TrainsList } from './trains-list.js';
import { WeightMeter } from './weight-meter.js';

const pageSizes = [25, 50, 100];

/**
 * One page of the list. Without a running/ended filter, running releases are asked for on their own (up to
 * 100), so they come first however old they are, followed by the newest ended ones.
 */
async function loadPage(filters, pageSize, signal) {
  const ask = (extra, size) => {
    const params = new URLSearchParams(queryOf({ ...filters, ...extra }).slice(1));
    params.set('pageSize', String(size));
    return listReleases(`?${params}`, signal);
  };
  if (filters.running) return ask({}, pageSize);
  const [running, ended] = await Promise.all([
    ask({ running: 'true' }, 100),
    ask({ running: 'false' }, pageSize),
  ]);
  // A release that ended between the two answers is in both: keep it once.
  const runningIds = new Set(running.releases.map((r) => r.releaseId));
  const releases = [...running.releases, ...ended.releases.filter((r) => !runningIds.has(r.releaseId))];
  return { releases, nextPageToken: ended.nextPageToken };
}

function FilterForm({ filters, onChange }) {
  const [functionText, setFunctionText] = useState(filters.function ?? '');
  useEffect(() => setFunctionText(filters.function ?? ''), [filters.function]);
  const submit = (event) => {
    event.preventDefault();
    onChange({ ...filters, function: functionText.trim() || undefined });
  };
  return html`<form class="filters" role="search" aria-label="Filter releases" onSubmit=${submit}>
    <label>Function
      <input name="function" type="search" value=${functionText} placeholder="any function"
        onInput=${(e) => setFunctionText(e.currentTarget.value)}
        onBlur=${() => (functionText.trim() || undefined) !== filters.function && onChange({ ...filters, function: functionText.trim() || undefined })} />
    </label>
    <label>Outcome
      <select name="outcome" value=${filters.outcome ?? ''}
        onChange=${(e) => onChange({ ...filters, outcome: e.currentTarget.value || undefined })}>
        <option value="">any</option>
        ${outcomes.map((o) => html`<option value=${o}>${phaseLabel(o)}</option>`)}
      </select>
    </label>
    <label>State
      <select name="running" value=${filters.running ?? ''}
        onChange=${(e) => onChange({ ...filters, running: e.currentTarget.value || undefined })}>
        <option value="">running and ended</option>
        <option value="true">running only</option>
        <option value="false">ended only</option>
      </select>
    </label>
    <button type="submit">Apply</button>
  </form>`;
}

export function OutcomeBadge({ outcome, isRunning }) {
  if (!outcome) return html`<span class="badge running">${isRunning === false ? 'ended' : 'running'}</span>`;
  return html`<span class=${`badge ${outcome}`}>${phaseLabel(outcome)}</span>`;
}

export function ReleasesPage({ search }) {
  const filters = filtersFrom(search);
  const query = queryOf(filters);
  const [pageSize, setPageSize] = useState(pageSizes[0]);
  const [page, setPage] = useState(undefined);
  const [error, setError] = useState(undefined);
  const now = useNow(1000);
  const { statuses, updatedAt } = useListedStatuses(
    {
      list: (signal) => loadPage(filters, pageSize, signal),
      itemsOf: (answer) => answer.releases,
      idOf: (release) => release.releaseId,
      read: releaseStatus,
      onListed: (answer) => {
        setPage(answer);
        setError(undefined);
      },
      onError: (caught) => setError(caught.message),
    },
    [query, pageSize],
  );

  const changeFilters = (next) => navigate(`/ui${queryOf(next)}`, { replace: true });
  const rows = page ? sortReleases(page.releases) : [];

  return html`<section aria-labelledby="releases-title">
    <div class="page-head">
      <h1 id="releases-title">Releases</h1>
      <p class="live-note" aria-live="off">${updatedAt ? html`live · updated ${html`<${TimeText} iso=${new Date(updatedAt).toISOString()} now=${now} compact />`}` : 'loading…'}</p>
    </div>
    <${FilterForm} filters=${filters} onChange=${changeFilters} />
    <${TrainsList} filters=${filters} now=${now} />
    ${error ? html`<p class="error" role="alert">Could not list releases: ${error}</p>` : null}
    <table class="releases">
      <caption class="visually-hidden">Releases, running first, then newest first</caption>
      <colgroup>
        <col class="c-release" /><col class="c-region" /><col class="c-phase" /><col class="c-weight" />
        <col class="c-started" /><col class="c-by" /><col class="c-outcome" />
      </colgroup>
      <thead><tr>
        <th scope="col">Function:alias</th><th scope="col">Region</th><th scope="col">Phase</th>
        <th scope="col">Candidate weight</th><th scope="col">Started</th><th scope="col">By</th><th scope="col">Outcome</th>
      </tr></thead>
      <tbody>
        ${rows.map((release) => {
          const status = statuses.get(release.releaseId);
          const by = status ? requestedByOf(status) : undefined;
          return html`<tr key=${release.releaseId} data-release-id=${release.releaseId} class=${release.isRunning ? 'is-running' : ''}>
            <td data-label="Release"><${Link} href=${`/ui/releases/${encodeURIComponent(release.releaseId)}`}>${release.functionName}:${release.alias}</${Link}></td>
            <td data-label="Region">${release.region}</td>
            <td data-label="Phase" class="phase">${phaseLabel(status?.phase ?? release.phase)}${status?.isPaused ? ' (paused)' : ''}</td>
            <td data-label="Weight"><${WeightMeter} percent=${status?.candidateWeightPercent} /></td>
            <td data-label="Started"><${TimeText} iso=${release.startedAt} now=${now} /></td>
            <td data-label="By">${by ?? html`<span class="muted">—</span>`}</td>
            <td data-label="Outcome"><${OutcomeBadge} outcome=${release.outcome} isRunning=${release.isRunning} /></td>
          </tr>`;
        })}
        ${page && rows.length === 0 ? html`<tr><td colspan="7" class="empty">No releases match these filters.</td></tr>` : null}
      </tbody>
    </table>
    ${
      page?.nextPageToken && pageSize < pageSizes.at(-1)
        ? html`<button type="button" class="more" onClick=${() => setPageSize(pageSizes[pageSizes.indexOf(pageSize) + 1])}>Show more</button>`
        : null
    }
  </section>`;
}
