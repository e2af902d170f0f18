import { type AlarmDefinition, type AlarmInput, alarmInputSchema } from './control-schemas.ts';
import type { MetricStore } from './metrics.ts';
import { RegionalMap } from './regional-map.ts';

/**
 * CloudWatch metric alarms over the simulated metrics, evaluated as CloudWatch does: the statistic of each
 * of the last `evaluationPeriods` periods against the threshold; ALARM when all of them breach.
 */
export type { AlarmDefinition, AlarmInput } from './control-schemas.ts';

/** The one place an alarm input is checked (throws a ZodError), so every surface refuses the same things. */
export function alarmDefinitionOf(input: AlarmInput): AlarmDefinition {
  return alarmInputSchema.parse(input);
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
  private readonly alarms = new RegionalMap<AlarmRecord>();
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
    this.alarms.set(region, definition.name, record);
    this.evaluate(record);
    this.onChange();
    return record;
  }

  list(): AlarmRecord[] {
    return this.alarms.values();
  }

  get(region: string, name: string): AlarmRecord | undefined {
    return this.alarms.get(region, name);
  }

  /** Alarms from the state file, as they were saved. */
  restore(records: readonly AlarmRecord[]): void {
    for (const record of records) this.alarms.set(record.region, record.name, record);
  }

  delete(region: string, name: string): boolean {
    const isDeleted = this.alarms.delete(region, name);
    this.onChange();
    return isDeleted;
  }

  /** Sets an alarm's state by hand, like `aws cloudwatch set-alarm-state`. */
  setState(region: string, name: string, state: AlarmRecord['state'], reason: string): void {
    const alarm = this.alarms.get(region, name);
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
