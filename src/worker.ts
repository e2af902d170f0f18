/**
 * The worker process: runs release workflows and their activities. Composition root: the only place
 * (with the API and CLI entries) that builds clients and reads config. Scale out by running more of
 * these against the same Temporal namespace and task queue.
 */
import { existsSync } from 'node:fs';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { createTrainActivities } from './activities/train-activities.ts';
import { createArtifactStore } from './artifacts/create-artifact-store.ts';
import { type AwsClients, createAwsClients } from './aws/lambda-clients.ts';
import type { RampConfig } from './config.ts';
import { createCloudWatchHealthGate } from './health/cloudwatch-health-gate.ts';
import type { HealthGate } from './health/health-gate.ts';
import { createLogger, type Logger, temporalLoggerOf } from './observability/logger.ts';
import { bundlerLogger } from './temporal/bundler-logger.ts';
import { connectClient, connectionOptions, ensureSearchAttributes } from './temporal/connect.ts';

/**
 * Installs the Temporal runtime for a process that runs workers: the composition root (CLI command, local
 * stack) owns signal handling and shuts workers down itself, and logs at the configured level.
 */
export function installWorkerRuntime(logger: Logger): void {
  // The SDK's own lines (workflow and activity failures among them) go through Ramp's pino logger, at its
  // level; expected failures (typed ApplicationFailures) become one line each.
  Runtime.install({ shutdownSignals: [], logger: temporalLoggerOf(logger) });
}

export interface WorkerOverrides {
  aws?: AwsClients;
  healthGate?: HealthGate;
  updatePollIntervalMs?: number;
  logger?: Logger;
}

export async function createReleaseWorker(
  config: RampConfig,
  overrides: WorkerOverrides = {},
): Promise<Worker> {
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
  return Worker.create({
    connection: await NativeConnection.connect(connectionOptions(config.temporal)),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    activities: {
      ...createActivities({
        aws,
        artifacts: createArtifactStore(config),
        healthGate: overrides.healthGate ?? createCloudWatchHealthGate(aws),
        ...(overrides.updatePollIntervalMs ? { updatePollIntervalMs: overrides.updatePollIntervalMs } : {}),
        notify: notifySecret ? { secret: notifySecret } : {},
      }),
      ...createTrainActivities({ aws, temporal: client }),
    },
  });
}
