import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAwsClients } from '../src/aws/lambda-clients.ts';
import { loadConfig } from '../src/config.ts';
import { startSimulator } from '../src/sim/index.ts';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { rampServerDynamicConfig } from '../src/temporal/server-dynamic-config.ts';
import { createReleaseWorker } from '../src/worker.ts';
import { captureLogger } from './helpers/log-capture.ts';
import { temporalEnvironment, uniqueName } from './helpers/temporal.ts';

// The worker as `ramp worker` builds it, against the real dev server.
async function startupWarnings(env: Record<string, string>): Promise<string[]> {
  const temporal = await temporalEnvironment();
  const { logger, lines } = captureLogger();
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporal.address,
    RAMP_TASK_QUEUE: uniqueName('worker-start'),
    RAMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'ramp-worker-')),
    // No AWS here: the Lambda budget (which asks STS for the account) is not what these tests are about.
    RAMP_LAMBDA_BUDGET: '0',
    ...(process.env.RAMP_TEST_WORKFLOW_BUNDLE
      ? { RAMP_WORKFLOW_BUNDLE: process.env.RAMP_TEST_WORKFLOW_BUNDLE }
      : {}),
    ...env,
  });
  const worker = await createReleaseWorker(config, { logger });
  await worker.runUntil(async () => undefined);
  return lines()
    .filter((line) => line.level === 'warn' || line.level === 40)
    .map((line) => String(line.msg));
}

test('without RAMP_NOTIFY_SECRET the worker warns once at start that notifications go unsigned', async () => {
  const warnings = await startupWarnings({});
  assert.equal(warnings.filter((line) => line.includes('RAMP_NOTIFY_SECRET')).length, 1, warnings.join('\n'));
});

test('with RAMP_NOTIFY_SECRET set there is no such warning', async () => {
  const warnings = await startupWarnings({ RAMP_NOTIFY_SECRET: 'a-shared-secret' });
  assert.ok(!warnings.some((line) => line.includes('RAMP_NOTIFY_SECRET')), warnings.join('\n'));
});

test('a worker that cannot learn its AWS account for the Lambda budget says how to fix it', async () => {
  const temporal = await temporalEnvironment();
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporal.address,
    RAMP_TASK_QUEUE: uniqueName('worker-start'),
    RAMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'ramp-worker-')),
    AWS_REGION: 'us-east-1',
  });
  // The test process has no AWS credentials (and no AWS), so STS GetCallerIdentity fails.
  await assert.rejects(
    createReleaseWorker(config, { logger: captureLogger().logger }),
    /the Lambda budget needs the worker's AWS account, and STS GetCallerIdentity failed: .*RAMP_LAMBDA_BUDGET=0/,
  );
});

/** A worker with the Lambda budget on (one target account besides its own), against the simulator's STS. */
async function startBudgetedWorker(address: string, taskQueue: string) {
  const sim = await startSimulator({ metricDelayMs: 0 });
  const { logger, lines } = captureLogger();
  try {
    const config = loadConfig({
      TEMPORAL_ADDRESS: address,
      RAMP_TASK_QUEUE: taskQueue,
      RAMP_DATA_DIR: mkdtempSync(join(tmpdir(), 'ramp-worker-')),
      AWS_REGION: 'us-east-1',
      RAMP_LAMBDA_BUDGET_REGIONS: 'us-east-1,333333333333:us-east-1=3',
      RAMP_TARGET_ACCOUNTS: '222222222222,arn:aws:iam::333333333333:role/ramp-deployer',
      RAMP_LAMBDA_BUDGET: '7.5',
      ...(process.env.RAMP_TEST_WORKFLOW_BUNDLE
        ? { RAMP_WORKFLOW_BUNDLE: process.env.RAMP_TEST_WORKFLOW_BUNDLE }
        : {}),
    });
    const worker = await createReleaseWorker(config, {
      logger,
      aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
    });
    await worker.runUntil(async () => undefined);
    const warnings = lines()
      .filter((line) => line.level === 'warn' || line.level === 40)
      .map((line) => String(line.msg));
    return { worker, warnings };
  } finally {
    await sim.close();
  }
}

test('a worker polls the budgeted Lambda queues of its own account and of each RAMP_TARGET_ACCOUNTS account', async () => {
  const temporal = await temporalEnvironment();
  const taskQueue = uniqueName('worker-accounts');
  const { worker, warnings } = await startBudgetedWorker(temporal.address, taskQueue);
  assert.deepEqual(
    worker.budgetedQueues.map((queue) => [queue.taskQueue, queue.isOwnAccount, queue.budgetPerSecond]),
    [
      [`${taskQueue}/lambda/123456789012/us-east-1`, true, 7.5],
      [`${taskQueue}/lambda/222222222222/us-east-1`, false, 7.5],
      [`${taskQueue}/lambda/333333333333/us-east-1`, false, 3],
    ],
  );
  // Ramp's own dev server gives every queue one partition: nothing to warn of.
  assert.deepEqual(
    warnings.filter((line) => line.includes('partition')),
    [],
  );
});

test('a worker warns at start, per budgeted queue, when the server splits it into partitions: the budget would not hold', async () => {
  const server = await startDevServer({
    dynamicConfig: {
      ...rampServerDynamicConfig,
      'matching.numTaskqueueReadPartitions': 4,
      'matching.numTaskqueueWritePartitions': 4,
    },
  });
  try {
    const taskQueue = uniqueName('worker-partitions');
    const { warnings } = await startBudgetedWorker(server.address, taskQueue);
    const partitioned = warnings.filter((line) => line.includes('partitions:'));
    assert.equal(partitioned.length, 3, warnings.join('\n'));
    assert.match(
      partitioned[0] ?? '',
      new RegExp(
        `budgeted queue ${taskQueue}/lambda/123456789012/us-east-1 4 partitions: .*not a ceiling. Set matching.numTaskqueueReadPartitions and matching.numTaskqueueWritePartitions to 1`,
      ),
    );
  } finally {
    await server.stop();
  }
});
