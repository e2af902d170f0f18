import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimAccount } from './account.ts';
import type { AlarmStore } from './alarms.ts';
import { CallLog, type SimCall } from './call-log.ts';
import { CloudWatchEndpoint } from './cloudwatch-endpoint.ts';
import { ControlEndpoint } from './control-api.ts';
import { FaultController } from './faults.ts';
import type { AliasState } from './function-registry.ts';
import { createSimServer, type SimRequest } from './http-transport.ts';
import type { InvocationResult } from './invoke.ts';
import { LambdaEndpoint } from './lambda-endpoint.ts';
import type { MetricStore } from './metrics.ts';
import { loadState, saveState } from './persistence.ts';
import { S3Endpoint } from './s3-endpoint.ts';
import { S3Service } from './s3-service.ts';
import { CredentialIssuer, type RoleDefinition, RoleStore, StsEndpoint } from './sts.ts';
import { TrafficController, type TrafficOptions } from './traffic.ts';

export type { SimCall } from './call-log.ts';

/** Where the simulator reads the time. */
export interface SimClock {
  now(): number;
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. The simulator listens on 127.0.0.1 only. */
  port?: number;
  accountId?: string;
  region?: string;
  /** How long State stays Pending after CreateFunction and LastUpdateStatus InProgress after an update. */
  updateDelayMs?: number;
  /** Seed for the random choices (routing by weight, error rates, fault probabilities). */
  seed?: number;
  /** Enforce Lambda's real control-plane rates (GetFunction 100/s, the rest 15/s shared). */
  quotas?: boolean;
  /** Persist functions and aliases to this JSON file and load them at start. */
  persistPath?: string;
  /**
   * The time every part of the simulator reads (settling updates, quotas, fault windows, metric and alarm
   * times, the call log). Default: the wall clock. Tests pass a clock they can move forward instead of
   * sleeping.
   */
  clock?: SimClock;
  /**
   * How long an invocation's metrics take to reach CloudWatch (GetMetricData and alarms). Default 60 000,
   * about what AWS shows. Tests that read metrics and need speed set it low and say why.
   */
  metricDelayMs?: number;
  /** IAM roles STS lets callers assume (more can be added with `sim.roles.put`). */
  roles?: RoleDefinition[];
}

export const defaultMetricDelayMs = 60_000;

/** mulberry32: a small seeded generator, so a seeded simulator makes the same choices every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The simulator's composition root: it builds the services (Lambda, CloudWatch, STS, S3, the control API) over
 * the state of each account, and puts them behind one HTTP port. Its public face is the programmatic API
 * the docs show, which speaks for the simulator's own account unless it names another.
 */
export class Simulator {
  readonly metrics: MetricStore;
  readonly alarms: AlarmStore;
  readonly s3 = new S3Service();
  readonly faults: FaultController;
  readonly traffic: TrafficController;
  /** IAM roles STS lets callers assume. */
  readonly roles = new RoleStore();
  readonly region: string;
  readonly accountId: string;
  readonly clock: SimClock;
  private readonly accounts = new Map<string, SimAccount>();
  private readonly main: SimAccount;
  private readonly accountOptions: ConstructorParameters<typeof SimAccount>[1];
  private readonly issuer: CredentialIssuer;
  private readonly callLog = new CallLog();
  private readonly server: Server;
  private readonly alarmTimer: NodeJS.Timeout;
  private saveTimer: NodeJS.Timeout | undefined;
  endpoint = '';

  constructor(private readonly options: SimulatorOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    const clock = () => this.clock.now();
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    const random = options.seed !== undefined ? seededRandom(options.seed) : Math.random;
    this.faults = new FaultController(clock, random);
    this.issuer = new CredentialIssuer(clock);
    for (const role of options.roles ?? []) this.roles.put(role);
    this.accountOptions = {
      clock,
      random,
      faults: this.faults,
      defaultRegion: this.region,
      updateDelayMs: options.updateDelayMs ?? 200,
      metricDelayMs: options.metricDelayMs ?? defaultMetricDelayMs,
      quotas: options.quotas === true,
      s3: this.s3,
    };
    this.main = this.account(this.accountId);
    this.metrics = this.main.metrics;
    this.alarms = this.main.alarms;
    this.traffic = new TrafficController((traffic) => this.invoke(traffic));
    if (options.persistPath) {
      // Only the simulator's own account is kept: other accounts exist for the roles tests assume.
      loadState(options.persistPath, this.main.registry, this.alarms);
      this.main.registry.onChange = () => this.scheduleSave();
      this.alarms.onChange = () => this.scheduleSave();
    }
    const shared = { faults: this.faults, calls: this.callLog, clock, defaultRegion: this.region };
    const accountOf = (request: SimRequest) =>
      this.account(this.issuer.accountOf(request.accessKeyId) ?? this.accountId);
    this.server = createSimServer([
      new ControlEndpoint(this),
      new S3Endpoint(this.s3),
      new StsEndpoint({ ...shared, roles: this.roles, issuer: this.issuer, accountOf }),
      new CloudWatchEndpoint({ ...shared, accountOf }),
      new LambdaEndpoint({ ...shared, accountOf }),
    ]);
    // Alarms change state as time passes: CloudWatch evaluates each once per period, on its boundary. The
    // tick only looks for due evaluations; DescribeAlarms runs them too, so a moved clock is seen at once.
    this.alarmTimer = setInterval(() => {
      for (const account of this.accounts.values()) account.alarms.evaluateDue();
    }, 250);
    this.alarmTimer.unref();
  }

  /** An account's state, made on first use: any account a role names exists. */
  private account(accountId: string): SimAccount {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = new SimAccount(accountId, this.accountOptions);
      this.accounts.set(accountId, account);
    }
    return account;
  }

  get clientConfig() {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.traffic.stopAll();
    clearInterval(this.alarmTimer);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.save();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every API call so far: operation, function, qualifier, status, error type, time and request body. */
  calls(): readonly SimCall[] {
    return this.callLog.list();
  }

  /** Every state the alias has been in, oldest first. */
  aliasHistory(
    functionName: string,
    alias: string,
    region = this.region,
    accountId = this.accountId,
  ): readonly AliasState[] {
    return this.account(accountId).registry.historyOf(region, functionName, alias);
  }

  /** Another account's metrics and alarms, as `sim.metrics` and `sim.alarms` are the simulator's own. */
  inAccount(accountId: string): { metrics: MetricStore; alarms: AlarmStore } {
    const { metrics, alarms } = this.account(accountId);
    return { metrics, alarms };
  }

  /** One invocation, whoever makes it: routed by the alias's weights, counted in the metrics. */
  invoke(traffic: Omit<TrafficOptions, 'ratePerSecond'>): InvocationResult {
    return this.account(traffic.accountId ?? this.accountId).invoker.invoke(traffic);
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 100);
  }

  private save(): void {
    if (this.options.persistPath) saveState(this.options.persistPath, this.main.registry, this.alarms);
  }
}
