/**
 * The candidate's and the stable version's metrics since traffic moved, kept up to date check after check
 * with small batched reads.
 *
 * A check reads only the recent minutes, the ones CloudWatch may still be filling in (its ingestion delay
 * is about a minute on AWS; `recentMinutes` leaves ample margin). Older minutes are settled: folded into a
 * running total as they leave the recent window, never read again. So every check of every release asks
 * for the same few minutes, and the batcher can put 500 such queries in one GetMetricData call, however
 * long the bake or the approval wait. The part before the first check's recent window is read once, in one
 * query per figure whose period spans it.
 *
 * Counts are exact sums. A percentile over the whole window cannot be rebuilt from per-minute ones, so the
 * watch reports the highest per-minute p50/p99 seen (and the settled part's own percentile): a bad minute
 * is never averaged away, and candidate and stable are measured the same way.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchBatcher, MinuteQuery, MinuteSeries } from './cloudwatch-batcher.ts';
import type { VersionMetrics } from './judge.ts';
import { readVersionMetrics } from './version-metrics.ts';

const minuteMs = 60_000;
export const defaultRecentMinutes = 5;

/** The five AWS/Lambda figures a watch reads per version: counts, and the two percentiles. */
export const figures = [
  ['invocations', 'Invocations', 'Sum'],
  ['errors', 'Errors', 'Sum'],
  ['throttles', 'Throttles', 'Sum'],
  ['p50Ms', 'Duration', 'p50'],
  ['p99Ms', 'Duration', 'p99'],
] as const;

type Figure = (typeof figures)[number][0];

export const floorMinute = (ms: number) => Math.floor(ms / minuteMs) * minuteMs;
export const ceilMinute = (ms: number) => Math.ceil(ms / minuteMs) * minuteMs;

function empty(): VersionMetrics {
  return { invocations: 0, errors: 0, throttles: 0, p50Ms: null, p99Ms: null };
}

/** Adds `value` to a figure: counts sum, percentiles keep the highest. */
function add(metrics: VersionMetrics, figure: Figure, value: number | null): void {
  if (value === null) return;
  if (figure === 'p50Ms' || figure === 'p99Ms') {
    const current = metrics[figure];
    metrics[figure] = current === null ? value : Math.max(current, value);
  } else {
    metrics[figure] += value;
  }
}

/** One version's five figures (in the order of `figures`) over whole minutes, through the shared batcher. */
export function readFigures(
  batcher: CloudWatchBatcher,
  input: VersionMetricsWatchInput,
  version: string,
  fromMs: number,
  toMs: number,
): Promise<MinuteSeries[]> {
  return Promise.all(
    figures.map(([, metric, stat]) => {
      const query: MinuteQuery = {
        functionName: input.functionName,
        alias: input.alias,
        version,
        metric,
        stat,
        fromMs,
        toMs,
      };
      return batcher.readMinutes(query);
    }),
  );
}

export interface VersionMetricsWatchInput {
  functionName: string;
  alias: string;
  versions: string[];
  /** When traffic moved: metrics are read from the start of that minute on. */
  since: Date;
}

export class VersionMetricsWatch {
  private readonly sinceMinute: number;
  /** Minutes before this are settled (folded into `settled`). */
  private settledUntil: number;
  private readonly settled = new Map<string, VersionMetrics>();
  /** The last recent read, per version and figure: minute → value. */
  private recent = new Map<string, Map<Figure, Map<number, number>>>();
  /** The end of the last recent read (a minute boundary); nothing read yet when null. */
  private readUntil: number | null = null;

  constructor(
    private readonly cloudWatch: CloudWatchClient,
    private readonly batcher: CloudWatchBatcher,
    private readonly input: VersionMetricsWatchInput,
    private readonly recentMinutes = defaultRecentMinutes,
  ) {
    this.sinceMinute = floorMinute(input.since.getTime());
    this.settledUntil = this.sinceMinute;
    for (const version of input.versions) this.settled.set(version, empty());
  }

  async read(now: Date): Promise<Record<string, VersionMetrics>> {
    const toMs = Math.max(ceilMinute(now.getTime()), this.sinceMinute + minuteMs);
    const recentFrom = Math.max(this.sinceMinute, floorMinute(now.getTime()) - this.recentMinutes * minuteMs);
    this.settle(recentFrom);
    await this.catchUp(recentFrom);
    const reads = this.input.versions.map(async (version) => ({
      version,
      series: await readFigures(this.batcher, this.input, version, recentFrom, toMs),
    }));
    const recent = new Map<string, Map<Figure, Map<number, number>>>();
    for (const { version, series } of await Promise.all(reads))
      recent.set(version, new Map(figures.map(([figure], i) => [figure, series[i] ?? new Map()])));
    this.recent = recent;
    this.readUntil = toMs;
    return Object.fromEntries(
      this.input.versions.map((version) => {
        const total = { ...(this.settled.get(version) ?? empty()) };
        for (const [figure, series] of recent.get(version) ?? [])
          for (const value of series.values()) add(total, figure, value);
        return [version, total];
      }),
    );
  }

  /** Folds the minutes of the last read that are now older than the recent window. */
  private settle(recentFrom: number): void {
    if (recentFrom <= this.settledUntil) return;
    for (const [version, byFigure] of this.recent) {
      const total = this.settled.get(version);
      if (!total) continue;
      for (const [figure, series] of byFigure)
        for (const [minute, value] of series) if (minute < recentFrom) add(total, figure, value);
    }
    // Minutes the last read did not reach (a first read, or a check that came late) are caught up next.
    const foldedUntil = this.readUntil === null ? this.settledUntil : Math.min(this.readUntil, recentFrom);
    this.settledUntil = foldedUntil;
  }

  /** Reads, once, the settled minutes no recent read covered: one query per figure spanning them. */
  private async catchUp(recentFrom: number): Promise<void> {
    if (recentFrom <= this.settledUntil) return;
    const byVersion = await readVersionMetrics(this.cloudWatch, {
      functionName: this.input.functionName,
      alias: this.input.alias,
      versions: this.input.versions,
      since: new Date(this.settledUntil),
      until: new Date(recentFrom),
    });
    for (const version of this.input.versions) {
      const total = this.settled.get(version);
      const part = byVersion[version];
      if (!total || !part) continue;
      for (const [figure] of figures) add(total, figure, part[figure]);
    }
    this.settledUntil = recentFrom;
  }
}
