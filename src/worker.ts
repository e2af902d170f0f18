/**
 * The worker process: runs release workflows and their activities. Composition root: the only place
 * (with the API and CLI entries) that builds clients and reads config. Scale out by running more of
 * these against the same Temporal namespace and task queue.
 *
 * Besides the release queue, each worker polls its health-watch queue (the long-running monitors, with slots
 * of their own) and one budgeted Lambda queue per configured region of its account, and of each account it
 * releases into by role (RAMP_TARGET_ACCOUNTS) (docs/scale.md); the Temporal server rate-limits each of those
 * across every worker.
 */
import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, type NativeConnection, Runtime, type State, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { createTrainActivities } from './activities/train-activities.ts';
import { createArtifactStore } from './artifacts/create-artifact-store.ts';
import { type AwsClients, createAwsClients } from './aws/lambda-clients.ts';
import type { RampConfig } from './config.ts';
import { healthWatchQueue } from './domain/health-watch-queue.ts';
import { budgetsOfAccount, lambdaBudgetQueue, temporalRateForBudget } from './domain/lambda-budget.ts';
import { createCloudWatchHealthGate } from './health/cloudwatch-health-gate.ts';
import type { HealthGate } from './health/health-gate.ts';
import { activityLogInterceptors } from './observability/activity-log-context.ts';
import { createLogger, type Logger, temporalLoggerOf } from './observability/logger.ts';
import {
  freeLoopbackPort,
  startWorkerMetricsServer,
  type WorkerMetricsServer,
} from './observability/worker-metrics-server.ts';
import { bundlerLogger } from './temporal/bundler-logger.ts';
import { connectClient, dataConverterOf, ensureSearchAttributes } from './temporal/connect.ts';
import { connectWorker } from './temporal/connect-worker.ts';
import { queuePartitions } from './temporal/queue-partitions.ts';

/**
 * Installs the Temporal runtime for a process that runs workers: the composition root (CLI command, local
 * stack) owns signal handling and shuts workers down itself, and logs at the configured level. When the
 * worker serves metrics (RAMP_WORKER_METRICS_PORT), the SDK's Prometheus exporter listens on a private
 * loopback port, whose URL is returned for the worker's `/metrics` to append.
 */
export async function installWorkerRuntime(
  logger: Logger,
  config?: Pick<RampConfig, 'workerProcess'>,
): Promise<{ sdkMetricsUrl: string | undefined }> {
  const sdkMetricsPort =
    config?.workerProcess.metricsPort !== undefined ? await freeLoopbackPort() : undefined;
  // The SDK's own lines (workflow and activity failures among them) go through Ramp's pino logger, at its
  // level; expected failures (typed ApplicationFailures) become one line each.
  Runtime.install({
    shutdownSignals: [],
    logger: temporalLoggerOf(logger),
    ...(sdkMetricsPort !== undefined
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}` } } } }
      : {}),
  });
  return {
    sdkMetricsUrl: sdkMetricsPort !== undefined ? `http://127.0.0.1:${sdkMetricsPort}/metrics` : undefined,
  };
}

/**
 * The worker's `/metrics` and `/healthz` on RAMP_WORKER_METRICS_PORT, or nothing when it is unset. Started
 * before the worker runs and closed after it stopped, so `/healthz` answers 503 while it starts and drains.
 */
export async function serveWorkerMetrics(
  config: Pick<RampConfig, 'workerProcess'>,
  worker: Pick<ReleaseWorker, 'getState'>,
  options: { logger: Logger; sdkMetricsUrl: string | undefined },
): Promise<WorkerMetricsServer | undefined> {
  const { metricsPort, metricsHost } = config.workerProcess;
  if (metricsPort === undefined) return undefined;
  const server = await startWorkerMetricsServer({
    host: metricsHost,
    port: metricsPort,
    workerState: () => worker.getState(),
    sdkMetricsUrl: options.sdkMetricsUrl,
    logger: options.logger,
  });
  options.logger.info(
    { metrics: `${server.url}/metrics`, healthz: `${server.url}/healthz` },
    'serving worker metrics and health',
  );
  return server;
}

/** How long past the grace time a stopping worker may take to hand its activities back before it gives up. */
export const shutdownForceMarginMs = 10_000;

export interface WorkerOverrides {
  aws?: AwsClients;
  healthGate?: HealthGate;
  updatePollIntervalMs?: number;
  logger?: Logger;
}

/** One budgeted Lambda queue a worker polls. */
export interface BudgetedQueue {
  taskQueue: string;
  account: string;
  /** The worker's own account (its credentials'), rather than one of RAMP_TARGET_ACCOUNTS. */
  isOwnAccount: boolean;
  region: string;
  /** The budget: no 1-s window of the queue's calls goes above it. */
  budgetPerSecond: number;
  /** The rate Temporal's limiter is given for it (see temporalRateForBudget). */
  temporalRatePerSecond: number;
}

/**
 * The worker of a release queue's health-watch queue: only the long-running monitor, with slots of its own
 * (`watchSlots`, RAMP_WORKER_WATCH_SLOTS), so thousands of baking releases are watched without taking the
 * slots that Lambda calls and hooks need. Each monitor sleeps between checks, so a slot costs little.
 */
export function createHealthWatchWorker(options: {
  connection: NativeConnection;
  namespace: string;
  releaseTaskQueue: string;
  activities: Pick<ReturnType<typeof createActivities>, 'monitorHealth'>;
  watchSlots?: number;
  /** How long running monitors get on shutdown before they are handed back (see createReleaseWorker). */
  shutdown?: { shutdownGraceTime: number; shutdownForceTime: number };
  /** The payload codec (RAMP_PAYLOAD_KEYS), the same as every other worker and client of the namespace. */
  dataConverter?: DataConverter | undefined;
}): Promise<Worker> {
  const slots = options.watchSlots ?? defaultWatchSlots;
  return Worker.create({
    interceptors: activityLogInterceptors,
    ...options.shutdown,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: healthWatchQueue(options.releaseTaskQueue),
    activities: { monitorHealth: options.activities.monitorHealth },
    maxConcurrentActivityTaskExecutions: slots,
    // Monitors start in bursts (a mass rollout shifts hundreds at once); more pollers take them up sooner.
    maxConcurrentActivityTaskPolls: Math.min(slots, 20),
  });
}

export const defaultWatchSlots = 2000;

/**
 * The release queue's worker, its health-watch worker and the budgeted Lambda queues' activity workers,
 * run and stopped together.
 */
export class ReleaseWorker {
  /** The activity-only workers beside the main one: budgeted queues and health watching. */
  private readonly others: readonly Worker[];

  constructor(
    readonly main: Worker,
    budgeted: readonly Worker[],
    readonly budgetedQueues: readonly BudgetedQueue[],
    watch?: Worker,
  ) {
    this.others = watch ? [...budgeted, watch] : budgeted;
  }

  /** Runs until shutdown; if one worker fails, the others are shut down and the failure is thrown. */
  async run(): Promise<void> {
    const all = [this.main, ...this.others];
    const results = await Promise.allSettled(
      all.map((worker) =>
        worker.run().catch((error: unknown) => {
          this.shutdown();
          throw error;
        }),
      ),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Runs while `body` runs, then shuts every worker down and waits for them to stop. */
  async runUntil<R>(body: () => Promise<R>): Promise<R> {
    const running = this.run();
    try {
      return await body();
    } finally {
      this.shutdown();
      await running;
    }
  }

  getState(): State {
    return this.main.getState();
  }

  shutdown(): void {
    for (const worker of [this.main, ...this.others]) if (worker.getState() === 'RUNNING') worker.shutdown();
  }
}

export async function createReleaseWorker(
  config: RampConfig,
  overrides: WorkerOverrides = {},
): Promise<ReleaseWorker> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, name: 'ramp-worker' });
  const client = await connectClient(config.temporal);
  await ensureSearchAttributes(client, logger);
  // Kept open for the worker's life: the train's activities send control updates to child releases.

  const notifySecret = config.notify.secret;
  if (!notifySecret) {
    logger.warn(
      'RAMP_NOTIFY_SECRET is not set: release notifications are sent unsigned (no X-Ramp-Signature); set it so receivers can check that a notification comes from Ramp',
    );
  }
  const aws = overrides.aws ?? createAwsClients();
  const bundlePath = config.workflowBundlePath;
  // Production workers load the pre-built bundle; elsewhere bundle now, without webpack's chatter.
  const workflowBundle =
    bundlePath && existsSync(bundlePath)
      ? { codePath: bundlePath }
      : {
          code: (
            await bundleWorkflowCode({
              workflowsPath: new URL('./workflows/index.ts', import.meta.url).pathname,
              logger: bundlerLogger(),
            })
          ).code,
        };
  const budgetedQueues = await budgetedQueuesOf(config, aws);
  await warnOfPartitionedBudgets(client, config.temporal.namespace, budgetedQueues, logger);
  const activities = createActivities({
    aws,
    artifacts: createArtifactStore(config),
    healthGate: overrides.healthGate ?? createCloudWatchHealthGate(aws),
    lambdaBudgetQueues: new Map(
      budgetedQueues.filter((queue) => queue.isOwnAccount).map((queue) => [queue.region, queue.taskQueue]),
    ),
    roleAccountBudgetQueues: new Map(
      budgetedQueues.map((queue) => [`${queue.account}/${queue.region}`, queue.taskQueue]),
    ),
    ...(overrides.updatePollIntervalMs ? { updatePollIntervalMs: overrides.updatePollIntervalMs } : {}),
    notify: notifySecret ? { secret: notifySecret } : {},
  });
  const connection = await connectWorker(config.temporal);
  // Payloads (inputs, results, heartbeats, memos) are sealed and opened here, outside the workflow sandbox.
  const dataConverter = dataConverterOf(config.temporal);
  const encryption = dataConverter ? { dataConverter } : {};
  const sizing = config.worker;
  // On shutdown a worker stops polling at once and gives running activities the grace time to finish; then it
  // cancels them (the health watch and update polls see it at their next heartbeat), their attempts fail
  // and Temporal retries them on another worker. Past the force time it gives up waiting and throws.
  const shutdown = {
    shutdownGraceTime: config.workerProcess.shutdownGraceMs,
    shutdownForceTime: config.workerProcess.shutdownGraceMs + shutdownForceMarginMs,
  };
  const main = await Worker.create({
    interceptors: activityLogInterceptors,
    ...shutdown,
    ...encryption,
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    // A train's activities too, so the same worker runs trains and their child releases.
    activities: { ...activities, ...createTrainActivities({ aws, temporal: client }) },
    ...(sizing.activitySlots ? { maxConcurrentActivityTaskExecutions: sizing.activitySlots } : {}),
    ...(sizing.workflowSlots ? { maxConcurrentWorkflowTaskExecutions: sizing.workflowSlots } : {}),
    ...(sizing.cachedWorkflows ? { maxCachedWorkflows: sizing.cachedWorkflows } : {}),
  });
  const watch = await createHealthWatchWorker({
    connection,
    namespace: config.temporal.namespace,
    releaseTaskQueue: config.temporal.taskQueue,
    activities,
    watchSlots: sizing.watchSlots,
    shutdown,
    dataConverter,
  });
  const budgeted: Worker[] = [];
  for (const queue of budgetedQueues) {
    // Activities only. Every worker of the queue sends the same rate; the server applies it to the queue.
    budgeted.push(
      await Worker.create({
        interceptors: activityLogInterceptors,
        ...shutdown,
        ...encryption,
        connection,
        namespace: config.temporal.namespace,
        taskQueue: queue.taskQueue,
        activities,
        maxTaskQueueActivitiesPerSecond: queue.temporalRatePerSecond,
      }),
    );
    logger.info(queue, 'polling a budgeted Lambda queue');
  }
  return new ReleaseWorker(main, budgeted, budgetedQueues, watch);
}

/**
 * Says at start when the server splits a budgeted queue into partitions: each then dispatches at least one
 * task a second and bursts on its own, so the budget is no longer a ceiling (docs/scale.md). The worker runs
 * on; the operator fixes the cluster's dynamic config.
 */
async function warnOfPartitionedBudgets(
  client: Client,
  namespace: string,
  budgetedQueues: readonly BudgetedQueue[],
  logger: Logger,
): Promise<void> {
  const answers = await queuePartitions(
    client,
    namespace,
    budgetedQueues.map((queue) => queue.taskQueue),
  );
  for (const { taskQueue, partitions, error } of answers) {
    if (partitions === null) {
      logger.warn(
        `could not ask the Temporal server how many partitions the budgeted queue ${taskQueue} has (${error}); the budget holds only on one (docs/scale.md)`,
      );
    } else if (partitions > 1) {
      logger.warn(
        `the Temporal server gives the budgeted queue ${taskQueue} ${partitions} partitions: each dispatches at least one Lambda call a second and bursts on its own, so the Lambda budget is not a ceiling. Set matching.numTaskqueueReadPartitions and matching.numTaskqueueWritePartitions to 1 in the server's dynamic config (deploy/temporal-dynamic-config.yaml, docs/scale.md)`,
      );
    }
  }
}

/**
 * The budgeted queues of the worker's own account (STS GetCallerIdentity) and of each account it releases into
 * by role (RAMP_TARGET_ACCOUNTS), for each configured region.
 */
async function budgetedQueuesOf(config: RampConfig, aws: AwsClients): Promise<BudgetedQueue[]> {
  if (config.lambdaBudgets.length === 0) return [];
  let account: string;
  try {
    account = await aws.accountId();
  } catch (error) {
    throw new Error(
      `the Lambda budget needs the worker's AWS account, and STS GetCallerIdentity failed: ${(error as Error).message}. Give the worker AWS credentials (or point AWS_ENDPOINT_URL_STS at the simulator), or turn the budget off with RAMP_LAMBDA_BUDGET=0`,
      { cause: error },
    );
  }
  const accounts = [account, ...config.targetAccounts.filter((target) => target !== account)];
  return accounts.flatMap((queueAccount) =>
    budgetsOfAccount(config.lambdaBudgets, queueAccount).map((budget) => ({
      taskQueue: lambdaBudgetQueue(config.temporal.taskQueue, queueAccount, budget.region),
      account: queueAccount,
      isOwnAccount: queueAccount === account,
      region: budget.region,
      budgetPerSecond: budget.perSecond,
      temporalRatePerSecond: temporalRateForBudget(budget.perSecond),
    })),
  );
}
