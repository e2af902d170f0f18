import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { VersionMetrics } from './judge.ts';

/**
 * Per-version AWS/Lambda metrics of invocations through the alias: Lambda records the version that ran
 * in the ExecutedVersion dimension (with FunctionName and Resource = function:alias), so the candidate
 * and the stable version are measured side by side over the same window.
 */
export async function readVersionMetrics(
  cloudWatch: CloudWatchClient,
  input: { functionName: string; alias: string; versions: string[]; since: Date; until: Date },
): Promise<Record<string, VersionMetrics>> {
  // One datapoint covering the whole window: the period is the window rounded up to whole minutes.
  const windowSeconds = Math.max(
    60,
    Math.ceil((input.until.getTime() - input.since.getTime()) / 60_000) * 60,
  );
  const queries: MetricDataQuery[] = [];
  const stats = [
    ['inv', 'Invocations', 'Sum'],
    ['err', 'Errors', 'Sum'],
    ['thr', 'Throttles', 'Sum'],
    ['p50', 'Duration', 'p50'],
    ['p99', 'Duration', 'p99'],
  ] as const;
  input.versions.forEach((version, index) => {
    for (const [id, metric, stat] of stats) {
      queries.push({
        Id: `${id}_${index}`,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [
              { Name: 'FunctionName', Value: input.functionName },
              { Name: 'Resource', Value: `${input.functionName}:${input.alias}` },
              { Name: 'ExecutedVersion', Value: version },
            ],
          },
          Period: windowSeconds,
          Stat: stat,
        },
        ReturnData: true,
      });
    }
  });
  const response = await cloudWatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: input.since,
      EndTime: new Date(input.since.getTime() + windowSeconds * 1000),
    }),
  );
  const values = new Map<string, number[]>();
  for (const result of response.MetricDataResults ?? []) values.set(result.Id ?? '', result.Values ?? []);
  const sum = (id: string) => (values.get(id) ?? []).reduce((total, value) => total + value, 0);
  const max = (id: string) => {
    const list = values.get(id) ?? [];
    return list.length === 0 ? null : Math.max(...list);
  };
  return Object.fromEntries(
    input.versions.map((version, index) => [
      version,
      {
        invocations: sum(`inv_${index}`),
        errors: sum(`err_${index}`),
        throttles: sum(`thr_${index}`),
        p50Ms: max(`p50_${index}`),
        p99Ms: max(`p99_${index}`),
      },
    ]),
  );
}

/** One published CloudWatch minute of one version. */
export interface MetricsMinute {
  /** Start of the minute (the datapoint's timestamp), epoch ms. */
  startMs: number;
  invocations: number;
  errors: number;
  throttles: number;
  p50Ms: number | null;
  p99Ms: number | null;
}
