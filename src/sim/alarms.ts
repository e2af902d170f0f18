import type { MetricStore } from './metrics.ts';

/**
 * CloudWatch metric alarms over the simulated metrics, evaluated as CloudWatch does: the statistic of each
 * of the last `evaluationPeriods` periods against the threshold; ALARM when all of them breach.
 */
export interface AlarmDefinition {
  name: string;
  region?: string;
  namespace?: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: string;
  threshold: number;
  comparison:
    | 'GreaterThanThreshold'
    | 'GreaterThanOrEqualToThreshold'
    | 'LessThanThreshold'
    | 'LessThanOrEqualToThreshold';
  periodSeconds: number;
  evaluationPeriods: number;
}

type Comparison = AlarmDefinition['comparison'];

/**
 * What `sim.alarms.put` and `POST /_sim/alarms` accept: an AlarmDefinition, where `metric` may stand for
 * `metricName`, `periodSec` for `periodSeconds`, and `>`, `>=`, `<`, `<=` for the comparison operators.
 */
export type AlarmInput = Omit<AlarmDefinition, 'metricName' | 'periodSeconds' | 'comparison'> & {
  metricName?: string;
  metric?: string;
  periodSeconds?: number;
  periodSec?: number;
  comparison: Comparison | '>' | '>=' | '<' | '<=';
};

const comparisonBySymbol: Record<string, Comparison> = {
  '>': 'GreaterThanThreshold',
  '>=': 'GreaterThanOrEqualToThreshold',
  '<': 'LessThanThreshold',
  '<=': 'LessThanOrEqualToThreshold',
};

const comparisons = new Set<string>(Object.values(comparisonBySymbol));

/** The one place an alarm input is checked, so the programmatic and HTTP surfaces refuse the same things. */
export function alarmDefinitionOf(input: AlarmInput): AlarmDefinition {
  const metricName = input.metricName ?? input.metric;
  const periodSeconds = input.periodSeconds ?? input.periodSec;
  const comparison = comparisonBySymbol[input.comparison] ?? input.comparison;
  if (typeof input.name !== 'string' || input.name.length === 0) throw new Error('alarm name is required');
  if (typeof metricName !== 'string') throw new Error('metric (or metricName) is required');
  if (typeof periodSeconds !== 'number' || periodSeconds <= 0)
    throw new Error('periodSec (or periodSeconds) must be a positive number of seconds');
  if (!comparisons.has(comparison)) throw new Error(`unknown comparison ${input.comparison}`);
  if (typeof input.threshold !== 'number') throw new Error('threshold must be a number');
  if (!Number.isInteger(input.evaluationPeriods) || input.evaluationPeriods < 1)
    throw new Error('evaluationPeriods must be a positive integer');
  const { metric: _metric, periodSec: _periodSec, ...rest } = input;
  return {
    ...rest,
    dimensions: input.dimensions ?? {},
    metricName,
    periodSeconds,
    comparison: comparison as Comparison,
  };
}

export interface AlarmRecord extends AlarmDefinition {
  region: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  stateReason: string;
  stateUpdatedAt: number;
  createdAt: number;
}

const breaches = (value: number, alarm: AlarmDefinition) => {
  switch (alarm.comparison) {
    case 'GreaterThanThreshold':
      return value > alarm.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.threshold;
    case 'LessThanThreshold':
      return value < alarm.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.threshold;
  }
};

export class AlarmStore {
  readonly alarms = new Map<string, AlarmRecord>();
  onChange: () => void = () => {};

  constructor(
    private readonly metrics: MetricStore,
    private readonly defaultRegion: string,
    private readonly clock: () => number,
  ) {}

  put(input: AlarmInput): AlarmRecord {
    const definition = alarmDefinitionOf(input);
    const region = definition.region ?? this.defaultRegion;
    const record: AlarmRecord = {
      namespace: 'AWS/Lambda',
      ...definition,
      region,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: this.clock(),
      createdAt: this.clock(),
    };
    this.alarms.set(`${region}/${definition.name}`, record);
    this.evaluate(record);
    this.onChange();
    return record;
  }

  list(): AlarmRecord[] {
    return [...this.alarms.values()];
  }

  delete(region: string, name: string): boolean {
    const isDeleted = this.alarms.delete(`${region}/${name}`);
    this.onChange();
    return isDeleted;
  }

  /** Sets an alarm's state by hand, like `aws cloudwatch set-alarm-state`. */
  setState(region: string, name: string, state: AlarmRecord['state'], reason: string): void {
    const alarm = this.alarms.get(`${region}/${name}`);
    if (!alarm) throw new Error(`no alarm ${name}`);
    this.transition(alarm, state, reason);
  }

  private transition(alarm: AlarmRecord, state: AlarmRecord['state'], reason: string): void {
    if (alarm.state === state) return;
    alarm.state = state;
    alarm.stateReason = reason;
    alarm.stateUpdatedAt = this.clock();
  }

  evaluate(alarm: AlarmRecord): void {
    const now = this.clock();
    const periodMs = alarm.periodSeconds * 1000;
    const values: number[] = [];
    for (let i = alarm.evaluationPeriods; i >= 1; i--) {
      const { values: points } = this.metrics.query({
        region: alarm.region,
        namespace: alarm.namespace ?? 'AWS/Lambda',
        metricName: alarm.metricName,
        dimensions: alarm.dimensions,
        stat: alarm.statistic,
        periodSeconds: alarm.periodSeconds,
        startMs: now - i * periodMs,
        endMs: now - (i - 1) * periodMs,
      });
      if (points[0] !== undefined) values.push(points[0]);
    }
    if (values.length < alarm.evaluationPeriods) {
      if (values.length === 0)
        this.transition(alarm, 'INSUFFICIENT_DATA', 'Insufficient Data: no datapoints were received');
      return;
    }
    const isBreaching = values.every((value) => breaches(value, alarm));
    const reason = `Threshold Crossed: ${values.length} datapoint${values.length > 1 ? 's' : ''} [${values.join(', ')}] ${isBreaching ? 'breached' : 'did not breach'} the threshold (${alarm.threshold}).`;
    this.transition(alarm, isBreaching ? 'ALARM' : 'OK', reason);
  }

  evaluateAll(): void {
    for (const alarm of this.alarms.values()) this.evaluate(alarm);
  }
}
