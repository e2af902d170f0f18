import { type AlarmDefinition, type AlarmInput, alarmInputSchema } from './control-schemas.ts';
import { type MetricStore, storagePeriodMs } from './metrics.ts';
import { RegionalMap } from './regional-map.ts';

/**
 * CloudWatch metric alarms over the simulated metrics, evaluated as CloudWatch does: once per period, at
 * the period's boundary, on the data visible then (metrics.ts holds back what has not landed yet). Each
 * evaluation takes the latest `evaluationPeriods` datapoints within a range a little longer than that
 * (late data still counts) and compares their statistic with the threshold: ALARM when all of them breach,
 * OK when they do not, INSUFFICIENT_DATA when the range has none (TreatMissingData `missing`). A state set
 * by hand (set-alarm-state) therefore holds until the next evaluation.
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
  /** When the next evaluation runs: the next boundary of the alarm's period. */
  nextEvaluationAt: number;
}

/** Periods searched beyond `evaluationPeriods`, so a datapoint that lands late is still evaluated. */
const extraPeriodsInRange = 2;

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
    const now = this.clock();
    const record: AlarmRecord = {
      namespace: 'AWS/Lambda',
      ...definition,
      region,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: now,
      createdAt: now,
      nextEvaluationAt: this.boundaryAfter(definition.periodSeconds * 1000, now),
    };
    this.alarms.set(region, definition.name, record);
    // A new alarm is evaluated at once on the data already there, then on its period's boundaries.
    this.evaluate(record, now);
    this.onChange();
    return record;
  }

  list(): AlarmRecord[] {
    return this.alarms.values();
  }

  get(region: string, name: string): AlarmRecord | undefined {
    return this.alarms.get(region, name);
  }

  /** Alarms from the state file, as they were saved; they are evaluated at their next boundary. */
  restore(records: readonly AlarmRecord[]): void {
    const now = this.clock();
    for (const record of records) {
      const nextEvaluationAt = this.boundaryAfter(record.periodSeconds * 1000, now);
      this.alarms.set(record.region, record.name, { ...record, nextEvaluationAt });
    }
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

  /** The first boundary of a period after `ms`: alarms evaluate on period boundaries. */
  private boundaryAfter(periodMs: number, ms: number): number {
    return Math.floor(ms / periodMs) * periodMs + periodMs;
  }

  /** Runs every evaluation that is due by now, each as of its own boundary. */
  evaluateDue(): void {
    const now = this.clock();
    for (const alarm of this.alarms.values()) {
      if (now < alarm.nextEvaluationAt) continue;
      const periodMs = alarm.periodSeconds * 1000;
      // Evaluations missed while nobody looked would each have seen less; the latest one decides the state.
      const evaluatedAt = Math.floor(now / periodMs) * periodMs;
      this.evaluate(alarm, evaluatedAt);
      alarm.nextEvaluationAt = evaluatedAt + periodMs;
    }
  }

  private evaluate(alarm: AlarmRecord, evaluatedAt: number): void {
    const dataPeriodMs = storagePeriodMs(alarm.periodSeconds);
    const { values: newestFirst } = this.metrics.query({
      region: alarm.region,
      namespace: alarm.namespace ?? 'AWS/Lambda',
      metricName: alarm.metricName,
      dimensions: alarm.dimensions,
      stat: alarm.statistic,
      periodSeconds: alarm.periodSeconds,
      startMs: evaluatedAt - (alarm.evaluationPeriods + extraPeriodsInRange) * dataPeriodMs,
      endMs: evaluatedAt,
      asOfMs: evaluatedAt,
    });
    const values = newestFirst.slice(0, alarm.evaluationPeriods).reverse();
    if (values.length < alarm.evaluationPeriods) {
      if (values.length === 0)
        this.transition(alarm, 'INSUFFICIENT_DATA', 'Insufficient Data: no datapoints were received');
      return;
    }
    const isBreaching = values.every((value) => breaches(value, alarm));
    const reason = `Threshold Crossed: ${values.length} datapoint${values.length > 1 ? 's' : ''} [${values.join(', ')}] ${isBreaching ? 'breached' : 'did not breach'} the threshold (${alarm.threshold}).`;
    this.transition(alarm, isBreaching ? 'ALARM' : 'OK', reason);
  }
}
