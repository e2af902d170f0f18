/**
 * The all-in-one local stack behind `npm start`: a Temporal dev server persisted in the data directory
 * (releases survive a restart), the Lambda simulator (persisted too) with a sample function and steady
 * synthetic traffic, a worker and the API, all pointed at each other. Composition root: it reads config
 * and builds everything.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { type StartedApi, startApi } from './api/start-api.ts';
import { classifyAwsError } from './aws/classify-error.ts';
import { createAwsClients } from './aws/lambda-clients.ts';
import type { RampConfig } from './config.ts';
import { FailureType } from './domain/failure-types.ts';
import type { Logger } from './observability/logger.ts';
import type { WorkerMetricsServer } from './observability/worker-metrics-server.ts';
import { type Simulator, startSimulator } from './sim/index.ts';
import { type DevServer, startDevServer } from './temporal/dev-server.ts';
import { createReleaseWorker, type ReleaseWorker, serveWorkerMetrics } from './worker.ts';

export const sampleFunction = { name: 'hello-ramp', alias: 'live' };

export interface LocalStack {
  temporal: DevServer;
  sim: Simulator;
  worker: ReleaseWorker;
  /** The worker's /metrics and /healthz, when RAMP_WORKER_METRICS_PORT is set. */
  workerMetrics: WorkerMetricsServer | undefined;
  api: StartedApi;
  stop(): Promise<void>;
}

/** A small deployment package; `simulate.json` sets how its version behaves in the simulator. */
export function sampleZip(behaviour: Record<string, unknown> = {}, build = 'v1'): Uint8Array {
  return zipSync({
    'index.mjs': new TextEncoder().encode(
      `export const handler = async () => ({ hello: 'ramp', build: '${build}' });\n`,
    ),
    'simulate.json': new TextEncoder().encode(JSON.stringify(behaviour)),
  });
}

export async function ensureSampleFunction(lambda: LambdaClient, logger: Logger): Promise<void> {
  const { name, alias } = sampleFunction;
  try {
    await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
    return;
  } catch (error) {
    // Not there yet (a fresh data directory): create it below. Anything else is a real problem.
    if (classifyAwsError(error).type !== FailureType.NotFound) throw error;
  }
  await lambda
    .send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::123456789012:role/hello-ramp',
        Handler: 'index.handler',
        Code: { ZipFile: sampleZip() },
        Publish: true,
      }),
    )
    .catch((error: unknown) => {
      // The function survived from a run that stopped before its alias was created: keep it.
      if (classifyAwsError(error).type !== FailureType.Conflict) throw error;
    });
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }));
  logger.info(
    { function: name, alias, version: '1' },
    `created sample function ${name}:${alias} on version 1`,
  );
}

export async function startLocalStack(
  config: RampConfig,
  logger: Logger,
  /** What installWorkerRuntime returned: the SDK's metrics exporter, for the worker's /metrics. */
  runtime: { sdkMetricsUrl?: string | undefined } = {},
): Promise<LocalStack> {
  mkdirSync(config.dataDir, { recursive: true });
  logger.info({ dataDir: config.dataDir }, 'local stack starting');
  // With payload encryption on, the dev server's UI decodes through the stack's own API, which allows the UI's
  // origins. The local API is open on loopback unless a token is set; the UI sends none (docs/operations.md).
  const uiPort = config.localStack.temporalUiPort;
  const apiHost = config.api.host ?? '127.0.0.1';
  const uiCodecEndpoint = config.temporal.payloadKeys
    ? `${config.api.publicUrl ?? `http://${apiHost.includes(':') ? `[${apiHost}]` : apiHost}:${config.api.port}`}/codec`
    : undefined;
  const temporal = await startDevServer({
    port: config.localStack.temporalPort,
    uiPort: config.localStack.temporalUiPort,
    dbFilename: join(config.dataDir, 'temporal.sqlite'),
    namespace: config.temporal.namespace,
    log: (line) => logger.info({ component: 'temporal' }, line),
    ...(uiCodecEndpoint ? { uiCodecEndpoint } : {}),
  });
  const sim = await startSimulator({
    port: config.localStack.simPort,
    region: config.region,
    persistPath: join(config.dataDir, 'simulator.json'),
    metricDelayMs: config.localStack.simMetricDelayMs,
    // RAMP_SIM_QUOTAS=true: Lambda's real control-plane rates, to rehearse a big rollout and watch the budget.
    ...(config.localStack.simQuotas ? { quotas: true } : {}),
  });
  const credentials = sim.clientConfig.credentials;
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 3 });
  await ensureSampleFunction(lambda, logger);
  const traffic = sim.traffic.start({
    functionName: sampleFunction.name,
    qualifier: sampleFunction.alias,
    ratePerSecond: 20,
  });

  const stackConfig: RampConfig = {
    ...config,
    temporal: { ...config.temporal, address: temporal.address },
    api: {
      ...config.api,
      codecCorsOrigins: uiCodecEndpoint
        ? [...config.api.codecCorsOrigins, `http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`]
        : config.api.codecCorsOrigins,
    },
    // The stack stops as a whole (Ctrl-C): no other worker could take over running activities, and they are
    // retried when it starts again, so its worker hands them back at once instead of waiting out a grace time.
    workerProcess: { ...config.workerProcess, shutdownGraceMs: 0 },
  };
  const worker = await createReleaseWorker(stackConfig, {
    aws: createAwsClients({ endpoint: sim.endpoint, credentials }),
    logger: logger.child({ component: 'worker' }),
  });
  const workerMetrics = await serveWorkerMetrics(stackConfig, worker, {
    logger: logger.child({ component: 'worker' }),
    sdkMetricsUrl: runtime.sdkMetricsUrl,
  });
  const running = worker.run();
  const api = await startApi(stackConfig, { logger: logger.child({ component: 'api' }) });
  return {
    temporal,
    sim,
    worker,
    workerMetrics,
    api,
    async stop() {
      await api.close();
      worker.shutdown();
      await running;
      await workerMetrics?.close();
      traffic.stop();
      lambda.destroy();
      await sim.close();
      await temporal.stop();
    },
  };
}
