/**
 * The shared Lambda control-plane budget, end to end: real `ramp worker` processes configured from the
 * environment, the real dev server rate-limiting the budgeted queue across them, the real SDK against the
 * simulator, whose call log says when each Lambda call arrived.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { lambdaBudgetQueue, temporalRateForBudget } from '../../src/domain/lambda-budget.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { validateReleaseSpec } from '../../src/domain/spec.ts';
import { createReleaseClient } from '../../src/releases/release-client.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { busiestSecond, isBudgetedLambdaCall } from '../helpers/lambda-calls.ts';
import { startWorkerProcess, stopProcess } from '../helpers/ramp-worker-process.ts';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd } from '../helpers/wait-for.ts';

const account = '123456789012';

describe('the Lambda control-plane budget across workers', () => {
  test('two ramp workers configured from the environment share one budget: no 1-s window of budgeted Lambda calls goes above it', async () => {
    const env = await temporalEnvironment();
    const sim = await startSimulator({ updateDelayMs: 50, seed: 20261128, metricDelayMs: 0 });
    const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-budget-'));
    const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
    const taskQueue = uniqueName('budget');
    const region = sim.clientConfig.region;
    const budgetPerSecond = 6;
    const budgetQueue = lambdaBudgetQueue(taskQueue, account, region);
    const workerEnv = {
      TEMPORAL_ADDRESS: env.connection.options.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      RAMP_TASK_QUEUE: taskQueue,
      RAMP_ARTIFACT_STORE: `file://${artifactDir}`,
      RAMP_LAMBDA_BUDGET: String(budgetPerSecond),
      RAMP_LOG_LEVEL: 'warn',
      AWS_REGION: region,
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_ACCESS_KEY_ID: sim.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sim.clientConfig.credentials.secretAccessKey,
      ...(process.env.RAMP_TEST_WORKFLOW_BUNDLE
        ? { RAMP_WORKFLOW_BUNDLE: process.env.RAMP_TEST_WORKFLOW_BUNDLE }
        : {}),
    };
    const workers = [startWorkerProcess(workerEnv), startWorkerProcess(workerEnv)];
    try {
      // Both workers poll the budgeted queue, and the server holds the rate they configured.
      const pollersOf = (answer: { pollers?: { identity?: string | null }[] | null }) =>
        new Set((answer.pollers ?? []).map((poller) => poller.identity)).size;
      const described = await eventually(
        () =>
          env.client.workflowService.describeTaskQueue({
            namespace: env.namespace ?? 'default',
            taskQueue: { name: budgetQueue },
            taskQueueType: 2, // activity tasks
            reportConfig: true,
          }),
        (answer) => pollersOf(answer) >= 2,
        120_000,
        250,
      );
      assert.ok(
        pollersOf(described) >= 2,
        `two workers should poll ${budgetQueue}:\n${workers.map((w) => w.output()).join('\n')}`,
      );
      assert.equal(described.effectiveRateLimit?.requestsPerSecond, temporalRateForBudget(budgetPerSecond));

      const functions: string[] = [];
      for (let i = 0; i < 6; i++) {
        const name = uniqueName('budget-fn');
        await lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Runtime: 'nodejs20.x',
            Role: `arn:aws:iam::${account}:role/lambda-role`,
            Handler: 'index.handler',
            Code: { ZipFile: zipWith({}, `${name}-v1`) },
            Publish: true,
          }),
        );
        await waitUntilFunctionActiveV2(
          { client: lambda, maxWaitTime: 30, minDelay: 1 },
          { FunctionName: name },
        );
        await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
        functions.push(name);
      }
      const releases = createReleaseClient({
        client: env.client,
        artifacts: createFileArtifactStore(artifactDir),
        taskQueue,
        defaultRegion: region,
      });
      const before = sim.calls().length;
      const ids = await Promise.all(
        functions.map(async (name) => {
          const spec = validateReleaseSpec({
            function: name,
            alias: 'live',
            code: { zipFile: zipBase64() },
            strategy: { steps: [{ weight: 50, bake: '0s' }] },
          });
          if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
          return (await releases.start(spec.spec)).releaseId;
        }),
      );
      const statuses = await Promise.all(ids.map((id) => waitForEnd(releases, id, 180_000)));
      assert.deepEqual(
        statuses.map((status) => status.outcome),
        functions.map(() => 'succeeded'),
      );

      const budgeted = sim.calls().slice(before).filter(isBudgetedLambdaCall);
      // Each release reads the alias twice, updates, lists, publishes and writes the alias twice.
      assert.ok(budgeted.length >= functions.length * 7, `${budgeted.length} budgeted calls`);
      const busiest = busiestSecond(budgeted);
      assert.ok(
        busiest.count <= budgetPerSecond,
        `at most ${budgetPerSecond} budgeted calls in any second, saw ${busiest.count}`,
      );
      // Both processes took part: each started activities from the budgeted queue.
      const identities = new Set<string>();
      for (const id of ids) {
        const parsed = parseReleaseId(id);
        if (!parsed) throw new Error(`bad release id ${id}`);
        const history = await env.client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
        const onBudgetQueue = new Set<string>();
        for (const event of history.events ?? []) {
          const scheduled = event.activityTaskScheduledEventAttributes;
          if (scheduled?.taskQueue?.name === budgetQueue) onBudgetQueue.add(String(event.eventId));
          const started = event.activityTaskStartedEventAttributes;
          if (started && onBudgetQueue.has(String(started.scheduledEventId)))
            identities.add(started.identity ?? '');
        }
      }
      assert.equal(identities.size, 2, `activities on ${budgetQueue} ran on ${[...identities].join(', ')}`);
    } finally {
      await Promise.all(workers.map((worker) => stopProcess(worker.child)));
      lambda.destroy();
      await sim.close();
      rmSync(artifactDir, { recursive: true, force: true });
    }
  });

  test('a throttle that still happens on the budgeted queue is retried, and /metrics counts it by operation', async () => {
    await withApiStack({ lambdaBudgetPerSecond: 7.5, metricDelayMs: 0 }, async (api) => {
      const { stack } = api;
      const throttledOf = async (operation: string) => {
        const metrics = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
        const line = new RegExp(`ramp_aws_throttled_total\\{operation="${operation}"\\} (\\d+)`).exec(
          metrics,
        );
        return Number(line?.[1] ?? 0);
      };
      const before = {
        code: await throttledOf('UpdateFunctionCode'),
        alias: await throttledOf('UpdateAlias'),
      };
      const fn = uniqueName('budget-throttled');
      await stack.createFunctionWithAlias(fn, 'live');
      stack.sim.faults.throttle({ operation: 'UpdateFunctionCode', count: 1, retryAfterSeconds: 1 });
      stack.sim.faults.throttle({ operation: 'UpdateAlias', count: 2, retryAfterSeconds: 1 });
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '0s' }] },
      });

      const status = await waitForEnd(stack.releases, id, 60_000);

      assert.equal(status.outcome, 'succeeded');
      assert.equal((await throttledOf('UpdateFunctionCode')) - before.code, 1);
      assert.equal((await throttledOf('UpdateAlias')) - before.alias, 2);
      // The retries ran where the first attempts did: on the region's budgeted queue.
      const parsed = parseReleaseId(id);
      if (!parsed) throw new Error(`bad release id ${id}`);
      const history = await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
      const scheduled = (history.events ?? []).flatMap((event) => {
        const attributes = event.activityTaskScheduledEventAttributes;
        return attributes ? [[attributes.activityType?.name, attributes.taskQueue?.name]] : [];
      });
      assert.deepEqual(
        scheduled
          .filter(([name]) => name === 'updateFunctionCode' || name === 'updateAlias')
          .map(([, queue]) => queue),
        [stack.lambdaQueue, stack.lambdaQueue, stack.lambdaQueue],
      );
      assert.ok(
        scheduled.some(([name, queue]) => name === 'waitForUpdate' && queue === stack.taskQueue),
        'GetFunction polling stays on the release queue',
      );
    });
  });
});
