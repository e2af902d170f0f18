import type { AlarmStore } from './alarms.ts';
import type { MetricStore } from './metrics.ts';

/**
 * CloudWatch's JSON 1.0 protocol as `@aws-sdk/client-cloudwatch` ≥ 3.949 speaks it: `POST /`,
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, timestamps as epoch seconds. Errors are
 * awsQuery-compatible (`x-amzn-query-error: Code;Sender`).
 */
export class CloudWatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

function epochMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') return Date.parse(value);
  return Number.NaN;
}

export class CloudWatchService {
  constructor(
    private readonly metrics: MetricStore,
    private readonly alarms: AlarmStore,
  ) {}

  handle(operation: string, region: string, body: Body): Body {
    if (operation === 'GetMetricData') return this.getMetricData(region, body);
    if (operation === 'DescribeAlarms') return this.describeAlarms(region, body);
    throw new CloudWatchError('InvalidAction', `The action ${operation} is not valid for this web service.`);
  }

  private getMetricData(region: string, body: Body): Body {
    const startMs = epochMs(body.StartTime);
    const endMs = epochMs(body.EndTime);
    if (Number.isNaN(startMs) || Number.isNaN(endMs))
      throw new CloudWatchError('InvalidParameterValue', 'StartTime and EndTime are required.');
    if (endMs <= startMs)
      throw new CloudWatchError(
        'InvalidParameterValue',
        'The parameter EndTime must be greater than StartTime.',
      );
    const queries = (body.MetricDataQueries ?? []) as Body[];
    const results = queries
      .filter((query) => query.ReturnData !== false)
      .map((query) => {
        const stat = (query.MetricStat ?? {}) as Body;
        const metric = (stat.Metric ?? {}) as Body;
        if (!stat.Metric) {
          throw new CloudWatchError(
            'InvalidParameterValue',
            'The simulator supports MetricStat queries, not Expression queries.',
          );
        }
        const dimensions = Object.fromEntries(
          ((metric.Dimensions ?? []) as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
        );
        const { timestamps, values } = this.metrics.query({
          region,
          namespace: String(metric.Namespace ?? ''),
          metricName: String(metric.MetricName ?? ''),
          dimensions,
          stat: String(stat.Stat ?? 'Sum'),
          periodSeconds: Number(stat.Period ?? 60),
          startMs,
          endMs,
        });
        return {
          Id: query.Id,
          Label: query.Label ?? metric.MetricName,
          Timestamps: timestamps.map((t) => t / 1000),
          Values: values,
          StatusCode: 'Complete',
        };
      });
    return { MetricDataResults: results, Messages: [] };
  }

  private describeAlarms(region: string, body: Body): Body {
    this.alarms.evaluateAll();
    const names = (body.AlarmNames ?? []) as string[];
    const prefix = typeof body.AlarmNamePrefix === 'string' ? body.AlarmNamePrefix : undefined;
    const state = typeof body.StateValue === 'string' ? body.StateValue : undefined;
    const alarms = [...this.alarms.alarms.values()]
      .filter((alarm) => alarm.region === region)
      .filter((alarm) => names.length === 0 || names.includes(alarm.name))
      .filter((alarm) => !prefix || alarm.name.startsWith(prefix))
      .filter((alarm) => !state || alarm.state === state)
      .map((alarm) => ({
        AlarmName: alarm.name,
        AlarmArn: `arn:aws:cloudwatch:${region}:123456789012:alarm:${alarm.name}`,
        StateValue: alarm.state,
        StateReason: alarm.stateReason,
        StateUpdatedTimestamp: alarm.stateUpdatedAt / 1000,
        MetricName: alarm.metricName,
        Namespace: alarm.namespace,
        Statistic: /^p\d/.test(alarm.statistic) ? undefined : alarm.statistic,
        ExtendedStatistic: /^p\d/.test(alarm.statistic) ? alarm.statistic : undefined,
        Dimensions: Object.entries(alarm.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Period: alarm.periodSeconds,
        EvaluationPeriods: alarm.evaluationPeriods,
        Threshold: alarm.threshold,
        ComparisonOperator: alarm.comparison,
        ActionsEnabled: false,
      }));
    return { MetricAlarms: alarms, CompositeAlarms: [] };
  }
}
