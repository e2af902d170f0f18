/**
 * A whole release stack for one test: the simulator (real Lambda wire protocol), a real Worker running
 * the release workflow with real activities and the real AWS SDK pointed at the simulator, and a release
 * client over the real dev server. Each call gets its own simulator, task queue and artifact directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { Worker } from '@temporalio/worker';
import { zipSync } from 'fflate';
import { createActivities } from '../../src/activities/index.ts';
import { createTrainActivities } from '../../src/activities/train-activities.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createS3ArtifactStore } from '../../src/artifacts/s3-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { lambdaBudgetQueue, temporalRateForBudget } from '../../src/domain/lambda-budget.ts';
import type { ReleaseSpecInput } from '../../src/domain/spec.ts';
import { validateReleaseSpec } from '../../src/domain/spec.ts';
import { createCloudWatchHealthGate } from '../../src/health/cloudwatch-health-gate.ts';
import { alwaysHealthy, type HealthGate } from '../../src/health/health-gate.ts';
import { createReleaseClient, type ReleaseClient } from '../../src/releases/release-client.ts';
import type { NotifyDefaults } from '../../src/releases/release-input-from-spec.ts';
import { createTrainClient, type TrainClient } from '../../src/releases/train-client.ts';
import { defaultMetricDelayMs, type Simulator, startSimulator } from '../../src/sim/index.ts';
import { temporalEnvironment, uniqueName, type WorkerContext, withWorker } from './temporal.ts';

export interface ReleaseStack extends WorkerContext {
  sim: Simulator;
  /** The budgeted Lambda queue this stack's worker polls, when `lambdaBudgetPerSecond` was given. */
  lambdaQueue: string | undefined;
  lambda: LambdaClient;
  releases: ReleaseClient;
  /** Trains over the same worker and artifact store. */
  trains: TrainClient;
  /** Starts a release from a spec (validated like the API does) and returns its id. */
  startRelease(
    spec: ReleaseSpecInput,
    options?: { idempotencyKey?: string; notify?: NotifyDefaults },
  ): Promise<string>;
  /** Creates a function with a first published version behind `alias`, as a team's existing service. */
  createFunctionWithAlias(
    name: string,
    alias: string,
    behaviour?: Behaviour,
  ): Promise<{ stableVersion: string }>;
  /**
   * The prelude most release tests share: a new function (named from `prefix`) whose first version is
   * behind the alias `live`, and a release of new code to it. `spec` adds to the release's fields
   * (strategy, health…) or replaces them (code); `beforeRelease` arranges what the release should meet
   * (faults, traffic) once the function exists.
   */
  releaseNewFunction(
    prefix: string,
    spec?: Partial<ReleaseSpecInput>,
    beforeRelease?: (fn: string) => unknown,
  ): Promise<{ fn: string; id: string; stableVersion: string }>;
}

export interface Behaviour {
  errorRate?: number;
  latencyMs?: { p50: number; p99: number };
  throttleRate?: number;
}

/**
 * A deployment package whose simulate.json sets how the version behaves in the simulator. Deterministic:
 * the same inputs give the same bytes, so the same CodeSha256.
 */
export function zipWith(behaviour: Behaviour = {}, marker = uniqueName('build')): Uint8Array {
  return zipSync(
    {
      'index.mjs': new TextEncoder().encode(`export const handler = async () => ({ build: '${marker}' });\n`),
      'simulate.json': new TextEncoder().encode(JSON.stringify(behaviour)),
    },
    { mtime: '2026-01-01T00:00:00Z' },
  );
}

export function zipBase64(behaviour: Behaviour = {}, marker?: string): string {
  return Buffer.from(zipWith(behaviour, marker)).toString('base64');
}

/** Creates a function with its first version published, and waits until Lambda says it is Active. */
export async function createActiveFunction(
  lambda: LambdaClient,
  name: string,
  zip: Uint8Array,
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Role: 'arn:aws:iam::123456789012:role/lambda-role',
      Handler: 'index.handler',
      Code: { ZipFile: zip },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}

export async function withReleaseStack<T>(
  options: {
    healthGate?: HealthGate | 'cloudwatch';
    updateDelayMs?: number;
    quotas?: boolean;
    /**
     * How long invocations take to reach CloudWatch in the simulator. Default: AWS's 60 s, the simulator's
     * own default, so only tests that read metrics and need speed opt out, and say why.
     */
    metricDelayMs?: number;
    /** The worker's RAMP_NOTIFY_SECRET: notifications are signed with it. */
    notifySecret?: string;
    /**
     * Polls the region's budgeted Lambda queue at this budget, as a production worker does (src/worker.ts);
     * unset: no budget, every activity on the release queue.
     */
    lambdaBudgetPerSecond?: number;
    /**
     * With `lambdaBudgetPerSecond`: other accounts (RAMP_TARGET_ACCOUNTS) whose budgeted queues the worker polls
     * too, for releases into them by roleArn.
     */
    targetAccounts?: string[];
    /** The release queue worker's activity slots (RAMP_WORKER_ACTIVITY_SLOTS); default: the SDK's. */
    activitySlots?: number;
    /** Stage deployment packages in the simulator's S3 (`s3://ramp-artifacts/packages/`) instead of a directory. */
    artifactStore?: 's3';
  },
  body: (stack: ReleaseStack) => Promise<T>,
): Promise<T> {
  // Seeded, so routing by weight and fault probabilities make the same choices in every run.
  const sim = await startSimulator({
    updateDelayMs: options.updateDelayMs ?? 50,
    seed: 20261124,
    ...(options.quotas ? { quotas: true } : {}),
    metricDelayMs: options.metricDelayMs ?? defaultMetricDelayMs,
  });
  const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-artifacts-'));
  const aws = createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials });
  const artifacts =
    options.artifactStore === 's3'
      ? createS3ArtifactStore(aws.s3(sim.clientConfig.region), 'ramp-artifacts', 'packages/')
      : createFileArtifactStore(artifactDir);
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
  // Filled in once the stack's task queue is known, before any release starts.
  const lambdaBudgetQueues = new Map<string, string>();
  const roleAccountBudgetQueues = new Map<string, string>();
  const activities = createActivities({
    aws,
    artifacts,
    healthGate:
      options.healthGate === 'cloudwatch'
        ? createCloudWatchHealthGate(aws)
        : (options.healthGate ?? alwaysHealthy),
    updatePollIntervalMs: 25,
    lambdaBudgetQueues,
    roleAccountBudgetQueues,
    ...(options.notifySecret ? { notify: { secret: options.notifySecret } } : {}),
  });
  const temporal = (await temporalEnvironment()).client;
  // A train's activities too, so the same worker runs trains and their child releases.
  const workerActivities = { ...createTrainActivities({ aws, temporal }), ...activities };
  try {
    return await withWorker(
      {
        activities: workerActivities,
        ...(options.activitySlots ? { maxConcurrentActivityTaskExecutions: options.activitySlots } : {}),
      },
      async (context) => {
        const budget = options.lambdaBudgetPerSecond;
        if (budget === undefined) return run(context, undefined);
        const region = sim.clientConfig.region;
        const ownAccount = await aws.accountId();
        const lambdaQueue = lambdaBudgetQueue(context.taskQueue, ownAccount, region);
        lambdaBudgetQueues.set(region, lambdaQueue);
        const budgetWorkers: Worker[] = [];
        for (const account of [ownAccount, ...(options.targetAccounts ?? [])]) {
          const taskQueue = lambdaBudgetQueue(context.taskQueue, account, region);
          roleAccountBudgetQueues.set(`${account}/${region}`, taskQueue);
          budgetWorkers.push(
            await Worker.create({
              connection: context.env.nativeConnection,
              namespace: context.env.namespace ?? 'default',
              taskQueue,
              activities,
              maxTaskQueueActivitiesPerSecond: temporalRateForBudget(budget),
            }),
          );
        }
        const running = budgetWorkers.map((worker) => worker.run());
        try {
          return await run(context, lambdaQueue);
        } finally {
          for (const worker of budgetWorkers) worker.shutdown();
          await Promise.all(running);
        }
      },
    );
  } finally {
    await sim.close();
    lambda.destroy();
    rmSync(artifactDir, { recursive: true, force: true });
  }

  async function run(context: WorkerContext, lambdaQueue: string | undefined): Promise<T> {
    const releases = createReleaseClient({
      client: context.client,
      artifacts,
      taskQueue: context.taskQueue,
      defaultRegion: sim.clientConfig.region,
    });
    const trains = createTrainClient({
      client: context.client,
      artifacts,
      taskQueue: context.taskQueue,
      defaultRegion: sim.clientConfig.region,
    });
    const stack: ReleaseStack = {
      ...context,
      sim,
      lambdaQueue,
      lambda,
      releases,
      trains,
      async startRelease(spec, startOptions = {}) {
        const result = validateReleaseSpec(spec);
        if (!result.ok) throw new Error(JSON.stringify(result.problems));
        return (await releases.start(result.spec, startOptions)).releaseId;
      },
      async createFunctionWithAlias(name, alias, behaviour = {}) {
        await createActiveFunction(lambda, name, zipWith(behaviour, `${name}-v1`));
        const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
        const stableVersion = versions.Versions?.find((v) => v.Version !== '$LATEST')?.Version ?? '1';
        await lambda.send(
          new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: stableVersion }),
        );
        return { stableVersion };
      },
      async releaseNewFunction(prefix, spec = {}, beforeRelease = () => {}) {
        const fn = uniqueName(prefix);
        const { stableVersion } = await stack.createFunctionWithAlias(fn, 'live');
        await beforeRelease(fn);
        const id = await stack.startRelease({
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          ...spec,
        });
        return { fn, id, stableVersion };
      },
    };
    return body(stack);
  }
}
