/**
 * The candidate's and the stable version's per-minute metrics since traffic moved, for the sequential
 * judge, kept up to date check after check through the worker's shared CloudWatch batcher.
 *
 * The first check reads every minute since the shift. Later checks read only from where CloudWatch may
 * still be filling minutes in (the last `recentMinutes`, or from the end of the previous read when a check
 * came late, so no minute is skipped); older minutes are final and kept from earlier reads. So, as with the
 * fixed judge's watch (version-metrics-watch.ts), every check of every release asks for the same few
 * minutes, and one GetMetricData call serves many releases.
 *
 * Reads start at the whole minute of the shift, as GetMetricData on AWS rounds a start time down anyway: the
 * first minute may hold a few seconds of the stable version's traffic from before the shift (docs/health.md).
 *
 * The minutes kept grow with the wait: one entry per version per minute with traffic (a day's wait is
 * 2 × 1,440 small records per release).
 */
import type { CloudWatchBatcher, MinuteSeries } from './cloudwatch-batcher.ts';
import type { MetricsMinute } from './version-metrics.ts';
import {
  ceilMinute,
  defaultRecentMinutes,
  floorMinute,
  readFigures,
  type VersionMetricsWatchInput,
} from './version-metrics-watch.ts';

const minuteMs = 60_000;

export class VersionMinutesWatch {
  private readonly sinceMinute: number;
  /** Per version: the published minutes read so far, by the start of the minute. */
  private readonly minutes = new Map<string, Map<number, MetricsMinute>>();
  /** The end of the last read (a minute boundary); nothing read yet when null. */
  private readUntil: number | null = null;

  constructor(
    private readonly batcher: CloudWatchBatcher,
    private readonly input: VersionMetricsWatchInput,
    private readonly recentMinutes = defaultRecentMinutes,
  ) {
    this.sinceMinute = floorMinute(input.since.getTime());
    for (const version of input.versions) this.minutes.set(version, new Map());
  }

  /** Each version's published minutes since the shift, oldest first. */
  async read(now: Date): Promise<Record<string, MetricsMinute[]>> {
    const toMs = Math.max(ceilMinute(now.getTime()), this.sinceMinute + minuteMs);
    const recentFrom = Math.max(this.sinceMinute, floorMinute(now.getTime()) - this.recentMinutes * minuteMs);
    const fromMs = this.readUntil === null ? this.sinceMinute : Math.min(recentFrom, this.readUntil);
    const reads = this.input.versions.map(async (version) => ({
      version,
      series: await readFigures(this.batcher, this.input, version, fromMs, toMs),
    }));
    for (const { version, series } of await Promise.all(reads)) {
      const kept = this.minutes.get(version) ?? new Map<number, MetricsMinute>();
      for (const startMs of kept.keys()) if (startMs >= fromMs) kept.delete(startMs);
      for (const minute of toMinutes(series)) kept.set(minute.startMs, minute);
      this.minutes.set(version, kept);
    }
    this.readUntil = toMs;
    return Object.fromEntries(
      this.input.versions.map((version) => [
        version,
        [...(this.minutes.get(version)?.values() ?? [])].sort((a, b) => a.startMs - b.startMs),
      ]),
    );
  }
}

/** The five figures' series of one version as minutes: a minute exists when its Invocations was published. */
function toMinutes(series: MinuteSeries[]): MetricsMinute[] {
  const [invocations, errors, throttles, p50, p99] = series;
  return [...(invocations ?? new Map<number, number>()).entries()].map(([startMs, count]) => ({
    startMs,
    invocations: count,
    errors: errors?.get(startMs) ?? 0,
    throttles: throttles?.get(startMs) ?? 0,
    p50Ms: p50?.get(startMs) ?? null,
    p99Ms: p99?.get(startMs) ?? null,
  }));
}
