/**
 * How the CLI shows releases to a person: a status block in the spirit of `kubectl argo rollouts get
 * rollout` (steps with the current one marked, weight, bake time left, versions, the latest verdict's
 * figures) and a listing table. Pure: the same status and clock give the same text.
 */
import type { ReleaseStatus, ReleaseSummary, TimelineEntry } from '../domain/release-status.ts';

export function formatDurationMs(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

const shortTime = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

interface VerdictCheck {
  name?: unknown;
  status?: unknown;
  measured?: unknown;
  against?: unknown;
}

function latest(timeline: TimelineEntry[], event: string): TimelineEntry | undefined {
  for (let i = timeline.length - 1; i >= 0; i--) if (timeline[i]?.event === event) return timeline[i];
  return undefined;
}

/** The weight each step set, from the timeline's `weight_set` entries (later steps are not known yet). */
function stepWeights(status: ReleaseStatus): number[] {
  return status.timeline
    .filter((entry) => entry.event === 'weight_set' && typeof entry.details?.weightPercent === 'number')
    .map((entry) => Number(entry.details?.weightPercent));
}

function stepsLine(status: ReleaseStatus): string {
  const weights = stepWeights(status);
  const count = Math.max(status.stepCount, weights.length);
  if (count === 0) return '-';
  const isDone = status.outcome !== null;
  const cells: string[] = [];
  for (let i = 0; i < count; i++) {
    const weight = weights[i] !== undefined ? ` ${weights[i]}%` : '';
    const mark =
      isDone || i < status.stepIndex ? '✓' : i === status.stepIndex && weights[i] !== undefined ? '▶' : '○';
    cells.push(`${mark} ${i + 1}${weight}`);
  }
  return cells.join('   ');
}

/** The monitor's latest check while one watches, else the timeline's latest verdict. */
function latestVerdict(status: ReleaseStatus): { line: string; checks: VerdictCheck[] } | null {
  const entry = latest(status.timeline, 'health_verdict');
  const current = status.currentVerdict;
  if (current && (!entry || Date.parse(current.at) >= Date.parse(entry.at)))
    return {
      line: `${current.status}: ${current.message}  (check ${current.checksRun} of this wait, ${shortTime(current.at)})`,
      checks: current.checks ?? [],
    };
  if (!entry) return null;
  const verdict = (entry.details?.verdict ?? {}) as { checks?: VerdictCheck[] };
  return { line: `${entry.message}  (${shortTime(entry.at)})`, checks: verdict.checks ?? [] };
}

function verdictLines(status: ReleaseStatus): string[] {
  const verdict = latestVerdict(status);
  if (!verdict) return ['verdict     - (none yet)'];
  const lines = [`verdict     ${verdict.line}`];
  for (const check of verdict.checks) {
    const figures = [
      check.measured !== undefined ? `measured ${String(check.measured)}` : '',
      check.against !== undefined ? `against ${String(check.against)}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `              ${String(check.status).padEnd(12)} ${String(check.name)}${figures ? `: ${figures}` : ''}`,
    );
  }
  return lines;
}

export function renderStatus(status: ReleaseStatus, now: Date = new Date()): string {
  const state = status.outcome
    ? `${status.outcome} (${status.phase})`
    : `${status.phase}${status.isPaused && status.phase !== 'paused' ? ' (paused)' : ''}${
        status.awaitingApproval && status.phase !== 'awaiting_approval' ? ' (awaiting approval)' : ''
      }`;
  const bakeLeftMs = status.bakeEndsAt ? Date.parse(status.bakeEndsAt) - now.getTime() : undefined;
  const bake =
    status.outcome === null && bakeLeftMs !== undefined && bakeLeftMs > 0
      ? `${formatDurationMs(bakeLeftMs)} left (until ${shortTime(status.bakeEndsAt)})`
      : '-';
  const lines = [
    `release     ${status.releaseId}`,
    `target      ${status.functionName}:${status.alias} (${status.region})`,
    `state       ${state}`,
    `stable      ${status.stableVersion ?? '-'}`,
    `candidate   ${status.candidateVersion ?? '-'}`,
    `weight      ${status.candidateWeightPercent}% on the candidate`,
    `steps       ${stepsLine(status)}`,
    `bake        ${bake}`,
    ...verdictLines(status),
    `started     ${shortTime(status.startedAt)}`,
    `ended       ${shortTime(status.endedAt)}`,
  ];
  if (status.lastError) lines.push(`error       ${status.lastError.type}: ${status.lastError.message}`);
  return lines.join('\n');
}

export function renderTimelineEntry(entry: TimelineEntry): string {
  return `${shortTime(entry.at)}  ${entry.event.padEnd(18)} ${entry.message}`;
}

export interface ListRow extends ReleaseSummary {
  stableVersion?: string | null;
  candidateVersion?: string | null;
}

export function renderList(rows: ListRow[]): string {
  const header = ['RELEASE', 'STARTED', 'ENDED', 'VERSIONS', 'DESCRIPTION', 'OUTCOME'];
  const table = rows.map((row) => [
    row.releaseId,
    shortTime(row.startedAt),
    shortTime(row.endedAt),
    row.stableVersion || row.candidateVersion
      ? `${row.stableVersion ?? '-'} → ${row.candidateVersion ?? '-'}`
      : '-',
    (row.description ?? '-').slice(0, 40),
    row.outcome ?? (row.isRunning ? `running (${row.phase ?? '?'})` : (row.phase ?? '-')),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...table.map((cells) => cells[i]?.length ?? 0)),
  );
  return [header, ...table]
    .map((cells) =>
      cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}
