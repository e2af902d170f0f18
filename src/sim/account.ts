import { AlarmStore } from './alarms.ts';
import { CloudWatchService } from './cloudwatch-service.ts';
import type { FaultController } from './faults.ts';
import { FunctionRegistry } from './function-registry.ts';
import { Invoker } from './invoke.ts';
import { LambdaService } from './lambda-service.ts';
import { MetricStore } from './metrics.ts';
import { CloudWatchQuota, ControlPlaneQuota } from './quota.ts';
import type { S3Service } from './s3-service.ts';

/**
 * One AWS account's state in the simulator: its functions, their metrics and its alarms, with the services
 * that answer for them. A request acts in the account its credentials belong to: the simulator's own
 * account, or the role's account for credentials its STS issued (sts.ts).
 */
export class SimAccount {
  readonly registry: FunctionRegistry;
  readonly lambda: LambdaService;
  readonly metrics: MetricStore;
  readonly alarms: AlarmStore;
  readonly cloudWatch: CloudWatchService;
  readonly invoker: Invoker;
  /** Lambda's control-plane rates, per account and region, when the simulator enforces them. */
  readonly quota: ControlPlaneQuota | undefined;
  /** CloudWatch's API rates, per account and region, under the same switch. */
  readonly cloudWatchQuota: CloudWatchQuota | undefined;

  constructor(
    readonly accountId: string,
    options: {
      clock: () => number;
      random: () => number;
      faults: FaultController;
      defaultRegion: string;
      updateDelayMs: number;
      metricDelayMs: number;
      quotas: boolean;
      /** S3 is one for all accounts here: bucket names are global. */
      s3: S3Service;
    },
  ) {
    const { clock } = options;
    this.registry = new FunctionRegistry(clock);
    this.lambda = new LambdaService(this.registry, {
      updateDelayMs: options.updateDelayMs,
      clock,
      s3: options.s3,
    });
    this.metrics = new MetricStore({ delayMs: options.metricDelayMs, clock });
    this.alarms = new AlarmStore(this.metrics, options.defaultRegion, clock);
    this.cloudWatch = new CloudWatchService(this.metrics, this.alarms, accountId);
    this.invoker = new Invoker({ ...options, registry: this.registry, metrics: this.metrics, accountId });
    this.quota = options.quotas ? new ControlPlaneQuota(clock) : undefined;
    this.cloudWatchQuota = options.quotas ? new CloudWatchQuota(clock) : undefined;
  }
}
