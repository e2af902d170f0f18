/**
 * How the CLI shows a train: its waves with each target's release, phase, weight and outcome, and one
 * line per change while following it. Pure: the same status gives the same text.
 */
import type { TrainStatus, TrainSummary, TrainTargetStatus } from '../domain/train-status.ts';

const targetName = (t: TrainTargetStatus) => `${t.function}:${t.alias} (${t.region})`;

function targetState(t: TrainTargetStatus): string {
  if (t.outcome) return `${t.outcome}${t.message && t.outcome !== 'succeeded' ? `: ${t.message}` : ''}`;
  if (t.phase === 'pending') return 'pending';
  return `${t.phase.replace('_', ' ')}, ${t.candidateWeightPercent}% on the candidate`;
}

export function renderTrain(status: TrainStatus): string {
  const head = `train ${status.id}  ${status.name}\n  phase ${status.phase}${status.isPaused ? ' (paused)' : ''}, outcome ${status.outcome ?? '-'}, on failure ${status.onFailure}`;
  const waves = status.waves.map((wave, index) => {
    const marker = index === status.waveIndex && status.outcome === null ? '▶' : ' ';
    const limit = wave.maxParallel ? `, ${wave.maxParallel} at once` : '';
    const gate = wave.requiresApproval ? ', approval' : '';
    const rows = wave.targets.map((t) => `      ${targetName(t).padEnd(44)} ${targetState(t)}`);
    return [`  ${marker} wave ${index + 1} ${wave.name}: ${wave.state}${limit}${gate}`, ...rows].join('\n');
  });
  return [head, ...waves].join('\n');
}

/** The lines that describe what changed between two reads of a train (all of it on the first read). */
export function renderTrainChanges(previous: TrainStatus | undefined, current: TrainStatus): string[] {
  const lines: string[] = [];
  if (previous?.phase !== current.phase) lines.push(`train ${current.phase}`);
  for (const [w, wave] of current.waves.entries()) {
    const before = previous?.waves[w];
    if (before?.state !== wave.state) lines.push(`wave ${w + 1} ${wave.name}: ${wave.state}`);
    for (const [t, target] of wave.targets.entries()) {
      const was = before?.targets[t];
      const now = targetState(target);
      if (!was ? target.phase !== 'pending' : targetState(was) !== now)
        lines.push(`  ${targetName(target)}: ${now}`);
    }
  }
  return lines;
}

export function renderTrainList(trains: TrainSummary[]): string {
  if (trains.length === 0) return 'no trains';
  return trains
    .map(
      (t) =>
        `${t.id}  ${(t.name ?? '').padEnd(24)} ${(t.phase ?? '-').padEnd(18)} ${t.outcome ?? (t.isRunning ? 'running' : '-')}  ${t.startedAt ?? ''}`,
    )
    .join('\n');
}
