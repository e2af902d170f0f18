/** The one table `npm run chaos` prints, and the breach list under it. */
import type { ScenarioResult } from './drive.ts';
import type { Breach } from './invariants.ts';

const outcomeOrder = [
  'succeeded',
  'rolled_back',
  'conflict',
  'needs_attention',
  'failed',
  'rejected',
  'none',
];

function formatOutcomes(outcomes: Record<string, number>): string {
  const names = Object.keys(outcomes).sort(
    (a, b) => ((outcomeOrder.indexOf(a) + 100) % 100) - ((outcomeOrder.indexOf(b) + 100) % 100),
  );
  return names.map((name) => `${name} ${outcomes[name]}`).join(', ') || '-';
}

export function formatTable(results: ScenarioResult[]): string {
  const rows = [
    ['scenario', 'releases', 'outcomes', 'breaches', 'duration'],
    ...results.map((result) => [
      result.scenario,
      String(result.releases),
      formatOutcomes(result.outcomes),
      breachCounts(result.breaches),
      `${(result.durationMs / 1000).toFixed(1)} s`,
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

function breachCounts(breaches: Breach[]): string {
  if (breaches.length === 0) return '0';
  const byInvariant = new Map<string, number>();
  for (const breach of breaches)
    byInvariant.set(breach.invariant, (byInvariant.get(breach.invariant) ?? 0) + 1);
  return `${breaches.length} (${[...byInvariant].map(([id, count]) => `${id} ${count}`).join(', ')})`;
}

export function formatBreaches(breaches: Breach[]): string {
  return breaches.map((breach) => `${breach.invariant} ${breach.releaseId}: ${breach.message}`).join('\n');
}
