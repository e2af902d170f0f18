/**
 * CloudWatch reads batched across every release a worker watches, so CloudWatch calls per second are bounded
 * by the health interval and CloudWatch's batch sizes, not by the number of releases: one GetMetricData takes
 * up to 500 queries, one DescribeAlarms up to 100 alarm names. Reads that arrive within `windowMs` of each
 * other go out together (monitors check on a shared clock grid, see monitor-health.ts, so they do arrive
 * together). Both have per-account quotas of their own on AWS (GetMetricData 50/s, DescribeAlarms 9/s).
 *
 * DataLoader does the collecting; nothing is cached between batches, every read is fresh.
 */
import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import DataLoader from 'dataloader';

/** GetMetricData's limits: queries per call, and datapoints per call (over all its queries). */
export const maxQueriesPerCall = 500;
export const maxDatapointsPerCall = 100_800;
/** DescribeAlarms takes at most 100 names, and answers at most 100 alarms per page. */
export const maxAlarmNamesPerCall = 100;

const minuteMs = 60_000;

/** One per-minute series of an AWS/Lambda metric of one version through an alias. */
export interface MinuteQuery {
  functionName: string;
  alias: string;
  version: string;
  metric: 'Invocations' | 'Errors' | 'Throttles' | 'Duration';
  stat: 'Sum' | 'p50' | 'p99';
  /** Whole minutes, epoch ms: the first minute read, and the end (exclusive). */
  fromMs: number;
  toMs: number;
}

/** Values by the start of their minute (epoch ms); minutes without a published datapoint are absent. */
export type MinuteSeries = Map<number, number>;

export type AlarmRecord = MetricAlarm | CompositeAlarm;

export interface CloudWatchBatcher {
  readMinutes(query: MinuteQuery): Promise<MinuteSeries>;
  /** The named alarms that exist (an unknown name is simply absent), in the order asked. */
  readAlarms(names: string[]): Promise<AlarmRecord[]>;
}

export function createCloudWatchBatcher(
  cloudWatch: CloudWatchClient,
  options: { windowMs?: number } = {},
): CloudWatchBatcher {
  const windowMs = options.windowMs ?? 200;
  const batchScheduleFn = (callback: () => void) => {
    setTimeout(callback, windowMs);
  };
  const minutes = new DataLoader<MinuteQuery, MinuteSeries, string>(
    (queries) => readMinuteBatch(cloudWatch, queries),
    { cache: false, maxBatchSize: maxQueriesPerCall, batchScheduleFn },
  );
  const alarms = new DataLoader<string, AlarmRecord | null, string>(
    (names) => readAlarmBatch(cloudWatch, names),
    { cache: false, maxBatchSize: maxAlarmNamesPerCall, batchScheduleFn },
  );
  return {
    readMinutes: (query) => minutes.load(query),
    async readAlarms(names) {
      const found = await alarms.loadMany(names);
      const records: AlarmRecord[] = [];
      for (const record of found) {
        if (record instanceof Error) throw record;
        if (record) records.push(record);
      }
      return records;
    },
  };
}

/**
 * One batch of per-minute queries: as few GetMetricData calls as the datapoint limit allows, each spanning
 * its queries' minutes. Each query gets back only the minutes it asked for.
 */
async function readMinuteBatch(
  cloudWatch: CloudWatchClient,
  queries: readonly MinuteQuery[],
): Promise<MinuteSeries[]> {
  const results: MinuteSeries[] = queries.map(() => new Map());
  for (const chunk of chunksWithinDatapointLimit(queries)) {
    const fromMs = Math.min(...chunk.map((index) => queries[index]?.fromMs ?? Number.POSITIVE_INFINITY));
    const toMs = Math.max(...chunk.map((index) => queries[index]?.toMs ?? 0));
    const metricQueries = chunk.map((index): MetricDataQuery => {
      const query = queries[index] as MinuteQuery;
      return {
        Id: `q${index}`,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: query.metric,
            Dimensions: [
              { Name: 'FunctionName', Value: query.functionName },
              { Name: 'Resource', Value: `${query.functionName}:${query.alias}` },
              { Name: 'ExecutedVersion', Value: query.version },
            ],
          },
          Period: 60,
          Stat: query.stat,
        },
        ReturnData: true,
      };
    });
    let nextToken: string | undefined;
    do {
      const response = await cloudWatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: metricQueries,
          StartTime: new Date(fromMs),
          EndTime: new Date(toMs),
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const result of response.MetricDataResults ?? []) {
        const index = Number((result.Id ?? '').slice(1));
        const query = queries[index];
        const series = results[index];
        if (!query || !series) continue;
        (result.Timestamps ?? []).forEach((timestamp, i) => {
          const at = new Date(timestamp).getTime();
          const value = result.Values?.[i];
          if (value !== undefined && at >= query.fromMs && at < query.toMs) series.set(at, value);
        });
      }
      nextToken = response.NextToken;
    } while (nextToken);
  }
  return results;
}

/** Indexes of `queries` in calls of at most 500 queries and 100,800 datapoints each. */
function chunksWithinDatapointLimit(queries: readonly MinuteQuery[]): number[][] {
  const order = queries
    .map((_, index) => index)
    .sort((a, b) => (queries[a]?.fromMs ?? 0) - (queries[b]?.fromMs ?? 0));
  const chunks: number[][] = [];
  let current: number[] = [];
  let fromMs = 0;
  let toMs = 0;
  for (const index of order) {
    const query = queries[index] as MinuteQuery;
    const nextFrom = current.length === 0 ? query.fromMs : Math.min(fromMs, query.fromMs);
    const nextTo = current.length === 0 ? query.toMs : Math.max(toMs, query.toMs);
    const datapoints = ((nextTo - nextFrom) / minuteMs) * (current.length + 1);
    if (current.length > 0 && (current.length >= maxQueriesPerCall || datapoints > maxDatapointsPerCall)) {
      chunks.push(current);
      current = [];
      fromMs = query.fromMs;
      toMs = query.toMs;
    } else {
      fromMs = nextFrom;
      toMs = nextTo;
    }
    current.push(index);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function readAlarmBatch(
  cloudWatch: CloudWatchClient,
  names: readonly string[],
): Promise<(AlarmRecord | null)[]> {
  const byName = new Map<string, AlarmRecord>();
  const unique = [...new Set(names)];
  let nextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: unique,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: maxAlarmNamesPerCall,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])])
      if (alarm.AlarmName) byName.set(alarm.AlarmName, alarm);
    nextToken = page.NextToken;
  } while (nextToken);
  return names.map((name) => byName.get(name) ?? null);
}
