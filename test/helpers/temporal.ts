/**
 * Runs real Workers against the real dev server that scripts/run-tests.ts started for this run.
 * A test file run on its own (`node --import tsx --test file`) starts its own server and bundle instead.
 */
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ReleaseActivities } from '../../src/activities/index.ts';
import { bundlerLogger } from '../../src/temporal/bundler-logger.ts';
import { startDevServer } from '../../src/temporal/dev-server.ts';
import { createHealthWatchWorker } from '../../src/worker.ts';

let environment: Promise<TestWorkflowEnvironment> | undefined;
let bundle: Promise<{ codePath: string } | { code: string }> | undefined;
const teardowns: (() => Promise<void>)[] = [];

/** Stops what this process started (connections, a dev server of its own). Benchmarks call it at the end. */
export async function closeTemporalEnvironment(): Promise<void> {
  for (const teardown of teardowns.splice(0).reverse()) await teardown();
}

// Under the test runner, registered when a test file imports this module, so it belongs to the file's root
// test and runs once after every test in the file. Benchmarks (plain scripts) call the function themselves.
if (process.env.NODE_TEST_CONTEXT) after(closeTemporalEnvironment);

export function temporalEnvironment(): Promise<TestWorkflowEnvironment> {
  environment ??= (async () => {
    // Releases that end in a rollback fail their workflow on purpose; keep the worker's WARN lines about
    // that out of the test output.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const address = process.env.RAMP_TEST_TEMPORAL_ADDRESS;
    if (address) {
      const env = await TestWorkflowEnvironment.createFromExistingServer({
        address,
        namespace: process.env.RAMP_TEST_TEMPORAL_NAMESPACE ?? 'default',
      });
      teardowns.push(() => env.teardown());
      return env;
    }
    const server = await startDevServer();
    teardowns.push(() => server.stop());
    return server.env;
  })();
  return environment;
}

/** The workflow bundle test Workers load (built once per run by the runner, or here). */
export function workflowBundle(): Promise<{ codePath: string } | { code: string }> {
  bundle ??= (async () => {
    const codePath = process.env.RAMP_TEST_WORKFLOW_BUNDLE;
    if (codePath) return { codePath };
    const built = await bundleWorkflowCode({
      workflowsPath: new URL('../fixtures/workflows/index.ts', import.meta.url).pathname,
      logger: bundlerLogger(),
    });
    return { code: built.code };
  })();
  return bundle;
}

export interface WorkerContext {
  client: Client;
  taskQueue: string;
  env: TestWorkflowEnvironment;
}

/** A fresh task queue per call, so tests never share queues or see each other's tasks. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Runs `body` while a real Worker polls a task queue of its own, then shuts the Worker down. */
export async function withWorker<T>(
  options: Pick<WorkerOptions, 'activities'> &
    Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions'>>,
  body: (context: WorkerContext) => Promise<T>,
): Promise<T> {
  const env = await temporalEnvironment();
  const taskQueue = uniqueName('test');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    ...options,
  });
  // Releases watch health on the queue's health-watch queue, as a production worker polls it.
  const activities = options.activities as Partial<ReleaseActivities> | undefined;
  const monitorHealth = activities?.monitorHealth;
  if (!monitorHealth) return worker.runUntil(body({ client: env.client, taskQueue, env }));
  const watch = await createHealthWatchWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    releaseTaskQueue: taskQueue,
    activities: { monitorHealth },
  });
  return worker.runUntil(watch.runUntil(body({ client: env.client, taskQueue, env })));
}
