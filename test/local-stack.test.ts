import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig } from '../src/config.ts';
import { sampleFunction, startLocalStack } from '../src/local-stack.ts';
import { createLogger } from '../src/observability/logger.ts';
import { installWorkerRuntime } from '../src/worker.ts';
import { eventually } from './helpers/wait-for.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

test("RAMP_SIM_QUOTAS=true runs the local stack with Lambda's real quotas, its worker polls the budgeted queue and serves /metrics and /healthz", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ramp-local-stack-'));
  const config = loadConfig({
    RAMP_DATA_DIR: dataDir,
    RAMP_SIM_QUOTAS: 'true',
    RAMP_TEMPORAL_PORT: String(await freePort()),
    RAMP_TEMPORAL_UI_PORT: String(await freePort()),
    RAMP_SIM_PORT: String(await freePort()),
    RAMP_API_PORT: String(await freePort()),
    RAMP_WORKER_METRICS_PORT: '0',
    RAMP_LOG_LEVEL: 'error',
  });
  const logger = createLogger({ level: 'error' });
  // As `ramp dev` does: the runtime with the SDK's Prometheus exporter, before any worker exists.
  const runtime = await installWorkerRuntime(logger, config);
  const stack = await startLocalStack(config, logger, runtime);
  const lambda = new LambdaClient({ ...stack.sim.clientConfig, maxAttempts: 1 });
  try {
    assert.deepEqual(
      stack.worker.budgetedQueues.map((queue) => [queue.taskQueue, queue.budgetPerSecond]),
      [['ramp-releases/lambda/123456789012/us-east-1', 7.5]],
    );
    // Lambda's bucket holds 15 requests: 40 reads at once cannot all pass.
    const answers = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        lambda.send(new GetAliasCommand({ FunctionName: sampleFunction.name, Name: sampleFunction.alias })),
      ),
    );
    const throttled = answers.filter(
      (answer) =>
        answer.status === 'rejected' && (answer.reason as Error).name === 'TooManyRequestsException',
    );
    assert.ok(throttled.length >= 20, `${throttled.length} of 40 reads were throttled`);

    const metricsUrl = stack.workerMetrics?.url;
    assert.ok(metricsUrl, 'RAMP_WORKER_METRICS_PORT serves the in-process worker');
    assert.equal((await fetch(`${metricsUrl}/healthz`)).status, 200);
    const metrics = await eventually(
      async () => (await fetch(`${metricsUrl}/metrics`)).text(),
      (text) => /^temporal_\w+/m.test(text),
      30_000,
      250,
    );
    assert.match(metrics, /^# TYPE ramp_aws_throttled_total counter$/m);
    assert.match(metrics, /^temporal_\w+/m);
  } finally {
    lambda.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
