/**
 * Running workers as an operator does: real `ramp worker` processes configured from the environment, the
 * real dev server, the real SDK against the simulator. A worker serves its metrics and health on
 * RAMP_WORKER_METRICS_PORT, and SIGTERM hands its work to another worker without failing a release.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { validateReleaseSpec } from '../../src/domain/spec.ts';
import { createReleaseClient } from '../../src/releases/release-client.ts';
import { type Simulator, startSimulator } from '../../src/sim/index.ts';
import {
  logLineOf,
  type RampWorkerProcess,
  startWorkerProcess,
  stopProcess,
} from '../helpers/ramp-worker-process.ts';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

type TemporalEnv = Awaited<ReturnType<typeof temporalEnvironment>>;

function workerEnv(
  temporal: TemporalEnv,
  sim: Simulator,
  taskQueue: string,
  artifactDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporal.connection.options.address,
    TEMPORAL_NAMESPACE: temporal.namespace ?? 'default',
    RAMP_TASK_QUEUE: taskQueue,
    RAMP_ARTIFACT_STORE: `file://${artifactDir}`,
    RAMP_LAMBDA_BUDGET: '0',
    RAMP_LOG_LEVEL: 'info',
    RAMP_WORKER_METRICS_PORT: '0',
    AWS_REGION: sim.region,
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.clientConfig.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.clientConfig.credentials.secretAccessKey,
    ...(process.env.RAMP_TEST_WORKFLOW_BUNDLE
      ? { RAMP_WORKFLOW_BUNDLE: process.env.RAMP_TEST_WORKFLOW_BUNDLE }
      : {}),
    ...extra,
  };
}

/** Waits until the worker logs where it serves metrics, and returns that base URL. */
async function metricsUrlOf(worker: RampWorkerProcess): Promise<string> {
  const line = await logLineOf(worker, 'serving worker metrics and health');
  const healthz = typeof line?.healthz === 'string' ? line.healthz : undefined;
  assert.ok(healthz, `the worker said where it serves metrics:\n${worker.output()}`);
  return healthz.replace(/\/healthz$/, '');
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

async function createFunctionWithAlias(lambda: LambdaClient, name: string): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: 'arn:aws:iam::123456789012:role/r',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zipWith() },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}

describe('ramp worker in operation', () => {
  test('serves /metrics with Ramp’s and the Temporal SDK’s figures and /healthz 200 while it runs; SIGTERM exits 0', async () => {
    const temporal = await temporalEnvironment();
    const sim = await startSimulator({ updateDelayMs: 50 });
    const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-worker-metrics-'));
    const worker = startWorkerProcess(workerEnv(temporal, sim, uniqueName('metrics'), artifactDir));
    try {
      const url = await metricsUrlOf(worker);
      const health = await eventually(
        () => get(`${url}/healthz`),
        (answer) => answer.status === 200,
      );
      assert.equal(health.status, 200, health.text);
      assert.equal(JSON.parse(health.text).workerState, 'RUNNING');

      // The SDK records its poller and slot figures once the worker polls.
      const metrics = await eventually(
        () => get(`${url}/metrics`),
        (answer) => /^temporal_\w+/m.test(answer.text),
        30_000,
        250,
      );
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /^# TYPE ramp_lambda_api_errors_total counter$/m, 'Ramp’s own registry');
      assert.match(metrics.text, /^temporal_\w+(\{[^}]*\})? \d/m, 'the Temporal SDK’s runtime metrics');
      assert.match(metrics.text, /^temporal_\w+\{[^}]*task_queue="[^"]+"/m);
      assert.equal((await get(`${url}/nothing`)).status, 404);

      await stopProcess(worker.child);
      assert.equal(await worker.exited, 0, worker.output());
      assert.ok(await logLineOf(worker, 'worker stopped', 0), worker.output());
    } finally {
      worker.child.kill('SIGKILL');
      await sim.close();
      rmSync(artifactDir, { recursive: true, force: true });
    }
  });

  test('logs JSON lines at RAMP_LOG_LEVEL, and every activity line names the release, its workflow and the attempt', async () => {
    const temporal = await temporalEnvironment();
    const sim = await startSimulator({ updateDelayMs: 50 });
    const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
    const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-worker-logs-'));
    const taskQueue = uniqueName('logs');
    const worker = startWorkerProcess(
      workerEnv(temporal, sim, taskQueue, artifactDir, { RAMP_LOG_LEVEL: 'debug' }),
    );
    try {
      const fn = uniqueName('logs');
      await createFunctionWithAlias(lambda, fn);
      const releases = createReleaseClient({
        client: temporal.client,
        artifacts: createFileArtifactStore(artifactDir),
        taskQueue,
        defaultRegion: sim.region,
      });
      const spec = validateReleaseSpec({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: 'AllAtOnce',
      });
      if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
      const { releaseId } = await releases.start(spec.spec);
      assert.equal((await waitForEnd(releases, releaseId, 60_000)).outcome, 'succeeded');
      const parsed = parseReleaseId(releaseId);
      assert.ok(parsed);
      const lines = worker
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      const json = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.ok(
        json.some((line) => line.level === 'debug'),
        'debug lines at RAMP_LOG_LEVEL=debug',
      );
      const activityLines = json.filter(
        (line) => line.activityType !== undefined && line.workflowId === parsed.workflowId,
      );
      const types = new Set(activityLines.map((line) => line.activityType));
      for (const type of ['updateFunctionCode', 'publishVersion'])
        assert.ok(types.has(type), `lines of ${type}: ${[...types]}`);
      for (const line of activityLines) {
        assert.equal(line.releaseId, releaseId, JSON.stringify(line));
        assert.equal(line.workflowRunId, parsed.runId, JSON.stringify(line));
        assert.equal(typeof line.attempt, 'number', JSON.stringify(line));
      }
    } finally {
      worker.child.kill('SIGKILL');
      await sim.close();
      rmSync(artifactDir, { recursive: true, force: true });
    }
  });

  test('SIGTERM mid-bake: the worker drains (healthz 503), hands the health watch to the other worker and exits 0; the release succeeds', async (t) => {
    const temporal = await temporalEnvironment();
    const sim = await startSimulator({ updateDelayMs: 50, metricDelayMs: 0 });
    const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
    const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-worker-shutdown-'));
    const taskQueue = uniqueName('shutdown');
    const graceMs = 2_000;
    const workers: RampWorkerProcess[] = [];
    try {
      const fn = uniqueName('shutdown');
      await createFunctionWithAlias(lambda, fn);
      const traffic = sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
      const releases = createReleaseClient({
        client: temporal.client,
        artifacts: createFileArtifactStore(artifactDir),
        taskQueue,
        defaultRegion: sim.region,
      });
      const first = startWorkerProcess(
        workerEnv(temporal, sim, taskQueue, artifactDir, {
          RAMP_WORKER_SHUTDOWN_GRACE: `${graceMs / 1000}s`,
        }),
      );
      workers.push(first);
      const firstUrl = await metricsUrlOf(first);

      const spec = validateReleaseSpec({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        // A bake far longer than the test: it is ended by a promote once the hand-over has been seen.
        strategy: { steps: [{ weight: 20, bake: '10m' }] },
        health: { interval: '1s', metrics: { errorRate: { max: 0.5 } } },
      });
      if (!spec.ok) throw new Error(JSON.stringify(spec.problems));
      const { releaseId } = await releases.start(spec.spec);
      // Baking with the health watch running on the first worker, the only one.
      await waitForStatus(
        releases,
        releaseId,
        (status) =>
          status.phase === 'baking' && status.timeline.some((entry) => entry.event === 'weight_set'),
        60_000,
      );
      const healthReads = () => sim.calls().filter((call) => call.operation === 'GetMetricData').length;
      assert.ok((await eventually(healthReads, (count) => count >= 2, 15_000, 100)) >= 2);

      const second = startWorkerProcess(workerEnv(temporal, sim, taskQueue, artifactDir));
      workers.push(second);
      const secondUrl = await metricsUrlOf(second);
      assert.equal((await get(`${secondUrl}/healthz`)).status, 200);

      const signalledAt = Date.now();
      first.child.kill('SIGTERM');
      // Draining: no longer healthy, still up while the health watch has its grace time.
      const draining = await eventually(
        () => get(`${firstUrl}/healthz`).catch(() => ({ status: 0, text: 'gone' })),
        (answer) => answer.status !== 200,
        10_000,
        50,
      );
      assert.equal(draining.status, 503, draining.text);
      // A bound, not a speed: the grace time plus the force margin, plus generous slack for a loaded machine.
      const exitCode = await Promise.race([
        first.exited,
        new Promise<'still running'>((resolve) =>
          setTimeout(() => resolve('still running'), graceMs + 60_000),
        ),
      ]);
      assert.equal(exitCode, 0, first.output());
      t.diagnostic(
        `the first worker exited ${Date.now() - signalledAt} ms after SIGTERM (grace ${graceMs} ms)`,
      );

      // The health watch runs again, on the second worker: a retry, whose first attempt ended by the shutdown
      // (the stopping worker cancelled it and reported it), not by its heartbeat timeout.
      const parsed = parseReleaseId(releaseId);
      assert.ok(parsed);
      const handle = temporal.client.workflow.getHandle(parsed.workflowId, parsed.runId);
      const watchOf = async () =>
        (await handle.describe()).raw.pendingActivities?.find(
          (activity) => activity.activityType?.name === 'monitorHealth',
        );
      const watch = await eventually(
        watchOf,
        (activity) =>
          (activity?.attempt ?? 1) > 1 &&
          (activity?.lastWorkerIdentity ?? '').startsWith(`${second.child.pid}@`),
        60_000,
        100,
      );
      assert.ok(
        watch && (watch.attempt ?? 1) > 1,
        `a second attempt of the health watch: ${JSON.stringify(watch)}`,
      );
      assert.match(
        watch.lastWorkerIdentity ?? '',
        new RegExp(`^${second.child.pid}@`),
        'on the second worker',
      );
      t.diagnostic(`the first attempt ended: ${watch.lastFailure?.message}`);
      assert.ok(watch.lastFailure, 'the retry records why the first attempt ended');
      assert.equal(
        watch.lastFailure.timeoutFailureInfo ?? null,
        null,
        'not noticed only by its heartbeat timeout',
      );

      await releases.control(releaseId, 'promote');
      const status = await waitForEnd(releases, releaseId, 120_000);
      traffic.stop();
      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      assert.equal(status.lastError ?? null, null);
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.candidateVersion);
      assert.equal(alias.RoutingConfig, undefined, 'all traffic on the candidate');
    } finally {
      for (const worker of workers) worker.child.kill('SIGKILL');
      lambda.destroy();
      await sim.close();
      rmSync(artifactDir, { recursive: true, force: true });
    }
  });
});
