/**
 * AWS/Lambda metrics from every invocation, whoever made it. Lambda publishes each datapoint under the
 * dimension sets {}, {FunctionName}, {FunctionName, Resource} and, for invocations through an alias,
 * {FunctionName, Resource, ExecutedVersion}; CloudWatch matches dimension sets exactly, and so does this.
 *
 * Time, as on AWS (docs/simulator.md, "CloudWatch time"): Lambda's metrics are standard resolution, so an
 * invocation counts in the datapoint of the minute it ran in, and a query for a finer period still gets
 * one datapoint per minute, stamped with the minute's start. An invocation reaches CloudWatch `delayMs`
 * after it ran (AWS: about a minute); until then no query sees it, so the current minute's datapoint
 * fills in as its invocations land.
 */
export interface InvocationRecord {
  at: number;
  region: string;
  functionName: string;
  /** `function:alias` or `function:version` when invoked with a qualifier. */
  resource: string | undefined;
  /** Only for invocations through an alias. */
  executedVersion: string | undefined;
  durationMs: number;
  isError: boolean;
  isThrottled: boolean;
}

export interface MetricQuery {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
  startMs: number;
  endMs: number;
  /** What was visible at this time (default: now); an alarm evaluates as of its evaluation time. */
  asOfMs?: number;
}

const minuteMs = 60_000;

/** Standard resolution: datapoints are whole minutes, whatever finer period a query asks for. */
export function storagePeriodMs(periodSeconds: number): number {
  return Math.max(1, Math.ceil(periodSeconds / 60)) * minuteMs;
}

export const startOfMinute = (ms: number) => Math.floor(ms / minuteMs) * minuteMs;

const maxRecords = 2_000_000;

/** Which records a dimension set matches; the set's names are sorted once per query, not per record. */
function matcherOf(dimensions: Record<string, string>): ((record: InvocationRecord) => boolean) | null {
  const names = Object.keys(dimensions).sort().join(',');
  switch (names) {
    case '':
      return () => true;
    case 'FunctionName':
      return (record) => record.functionName === dimensions.FunctionName;
    case 'FunctionName,Resource':
      return (record) =>
        record.functionName === dimensions.FunctionName && record.resource === dimensions.Resource;
    case 'ExecutedVersion,FunctionName,Resource':
      return (record) =>
        record.executedVersion !== undefined &&
        record.functionName === dimensions.FunctionName &&
        record.resource === dimensions.Resource &&
        record.executedVersion === dimensions.ExecutedVersion;
    default:
      return null;
  }
}

/** The values one invocation contributes to a metric (none when the metric has no datapoint for it). */
function metricValueOf(record: InvocationRecord, metricName: string): number | undefined {
  switch (metricName) {
    case 'Invocations':
      return record.isThrottled ? undefined : 1;
    case 'Errors':
      return record.isThrottled ? undefined : record.isError ? 1 : 0;
    case 'Throttles':
      return record.isThrottled ? 1 : 0;
    case 'Duration':
      return record.isThrottled ? undefined : record.durationMs;
    default:
      return undefined;
  }
}

export function statistic(values: number[], stat: string): number | undefined {
  if (values.length === 0) return undefined;
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (percentile) {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
  }
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    default:
      return undefined;
  }
}

export class MetricStore {
  private records: InvocationRecord[] = [];
  /** The same records by function name, so a query that names a function reads only its records. */
  private byFunction = new Map<string, InvocationRecord[]>();

  constructor(private readonly options: { delayMs: number; clock: () => number }) {}

  /** How long an invocation takes to reach CloudWatch. */
  get delayMs(): number {
    return this.options.delayMs;
  }

  record(invocation: InvocationRecord): void {
    this.records.push(invocation);
    const own = this.byFunction.get(invocation.functionName) ?? [];
    own.push(invocation);
    this.byFunction.set(invocation.functionName, own);
    if (this.records.length > maxRecords) {
      this.records.splice(0, this.records.length - maxRecords);
      const oldest = this.records[0]?.at ?? 0;
      for (const [name, list] of this.byFunction) {
        const kept = list.filter((record) => record.at >= oldest);
        if (kept.length === 0) this.byFunction.delete(name);
        else this.byFunction.set(name, kept);
      }
    }
  }

  /**
   * Datapoints of one metric, one per period that has visible data, newest first (CloudWatch's default
   * order). As CloudWatch does for recent data, the start is rounded down to the minute, and a datapoint
   * is returned when its timestamp falls in [start, end).
   */
  query(q: MetricQuery): { timestamps: number[]; values: number[] } {
    if (q.namespace !== 'AWS/Lambda') return { timestamps: [], values: [] };
    const isMatch = matcherOf(q.dimensions);
    if (!isMatch) return { timestamps: [], values: [] };
    const periodMs = storagePeriodMs(q.periodSeconds);
    const startMs = startOfMinute(q.startMs);
    const visibleUntil = (q.asOfMs ?? this.options.clock()) - this.options.delayMs;
    const buckets = new Map<number, number[]>();
    const candidates =
      q.dimensions.FunctionName === undefined
        ? this.records
        : (this.byFunction.get(q.dimensions.FunctionName) ?? []);
    for (const record of candidates) {
      if (record.region !== q.region || record.at > visibleUntil) continue;
      const minute = startOfMinute(record.at);
      if (minute < startMs || minute >= q.endMs) continue;
      if (!isMatch(record)) continue;
      const value = metricValueOf(record, q.metricName);
      if (value === undefined) continue;
      const bucket = startMs + Math.floor((minute - startMs) / periodMs) * periodMs;
      const list = buckets.get(bucket) ?? [];
      list.push(value);
      buckets.set(bucket, list);
    }
    const timestamps: number[] = [];
    const values: number[] = [];
    for (const bucket of [...buckets.keys()].sort((a, b) => b - a)) {
      const value = statistic(buckets.get(bucket) ?? [], q.stat);
      if (value === undefined) continue;
      timestamps.push(bucket);
      values.push(value);
    }
    return { timestamps, values };
  }
}
