import type { AlarmStore } from './alarms.ts';
import { alarmStates } from './control-schemas.ts';
import type { MetricStore } from './metrics.ts';

/**
 * CloudWatch's GetMetricData, DescribeAlarms and SetAlarmState over the simulated AWS/Lambda metrics. Inputs and outputs
 * are in the JSON 1.0 shape (timestamps as epoch seconds); cloudwatch-protocols.ts puts them on the wire.
 */
export class CloudWatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

/** GetMetricData takes at most 500 queries per call; DescribeAlarms at most 100 alarm names. */
const maxMetricDataQueries = 500;
const maxAlarmNames = 100;

function epochMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') return Date.parse(value);
  return Number.NaN;
}

export class CloudWatchService {
  constructor(
    private readonly metrics: MetricStore,
    private readonly alarms: AlarmStore,
    private readonly accountId: string,
  ) {}

  handle(operation: string, region: string, body: Body): Body {
    if (operation === 'GetMetricData') return this.getMetricData(region, body);
    if (operation === 'DescribeAlarms') return this.describeAlarms(region, body);
    if (operation === 'SetAlarmState') return this.setAlarmState(region, body);
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
    if (queries.length > maxMetricDataQueries)
      throw new CloudWatchError(
        'InvalidParameterValue',
        `The collection MetricDataQueries must not have a size greater than ${maxMetricDataQueries}.`,
      );
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

  /** Like `aws cloudwatch set-alarm-state`: the state holds until the alarm's next evaluation. */
  private setAlarmState(region: string, body: Body): Body {
    const name = typeof body.AlarmName === 'string' ? body.AlarmName : '';
    const state = alarmStates.find((candidate) => candidate === body.StateValue);
    if (!state)
      throw new CloudWatchError(
        'InvalidParameterValue',
        `StateValue must be one of ${alarmStates.join(', ')}.`,
      );
    if (!this.alarms.get(region, name))
      throw new CloudWatchError('ResourceNotFound', `Alarm ${name} does not exist.`, 404);
    this.alarms.setState(region, name, state, typeof body.StateReason === 'string' ? body.StateReason : '');
    return {};
  }

  private describeAlarms(region: string, body: Body): Body {
    // Evaluations that fell due since the last tick run now, so a moved test clock is seen at once.
    this.alarms.evaluateDue();
    const names = (body.AlarmNames ?? []) as string[];
    if (names.length > maxAlarmNames)
      throw new CloudWatchError(
        'ValidationError',
        `1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to ${maxAlarmNames}`,
      );
    const types = (body.AlarmTypes ?? []) as string[];
    // DescribeAlarms returns only metric alarms unless AlarmTypes asks for others; all alarms here are metric alarms.
    if (types.length > 0 && !types.includes('MetricAlarm')) return { MetricAlarms: [], CompositeAlarms: [] };
    const maxRecords = Math.min(100, Math.max(1, Number(body.MaxRecords ?? 50) || 50));
    const start = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new CloudWatchError('InvalidNextToken', 'The service returned an invalid next token.');
    const prefix = typeof body.AlarmNamePrefix === 'string' ? body.AlarmNamePrefix : undefined;
    const state = typeof body.StateValue === 'string' ? body.StateValue : undefined;
    const alarms = this.alarms
      .list()
      .filter((alarm) => alarm.region === region)
      .filter((alarm) => names.length === 0 || names.includes(alarm.name))
      .filter((alarm) => !prefix || alarm.name.startsWith(prefix))
      .filter((alarm) => !state || alarm.state === state)
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = alarms.slice(start, start + maxRecords).map((alarm) => ({
      AlarmName: alarm.name,
      AlarmArn: `arn:aws:cloudwatch:${region}:${this.accountId}:alarm:${alarm.name}`,
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
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      TreatMissingData: 'missing',
      AlarmConfigurationUpdatedTimestamp: alarm.createdAt / 1000,
    }));
    const next = start + maxRecords < alarms.length ? String(start + maxRecords) : undefined;
    return { MetricAlarms: page, CompositeAlarms: [], ...(next ? { NextToken: next } : {}) };
  }
}
