/**
 * `npm run test:prod`: releases driven through `ramp api` over HTTP (token auth from a tokens file, as
 * compose configures it) on the production topology, run for real (deploy/prod-stack.ts): PostgreSQL 15, the
 * Temporal server 1.29.1 on it, two `ramp worker` processes, all started from deploy/topology.ts; only AWS
 * is the simulator. A worker dies mid-bake and the other carries on; the Temporal server restarts mid-bake and
 * the release's state comes back from PostgreSQL; the API answers throughout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { Client, Connection } from '@temporalio/client';
import { zipSync } from 'fflate';
import { postgresBinDir } from '../../deploy/postgres.ts';
import { type ProdStack, startProdStack } from '../../deploy/prod-stack.ts';
import { temporalDatabase } from '../../deploy/topology.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { eventually, waitForState } from '../helpers/wait-for.ts';

let stack: ProdStack;
let temporal: Client;
let lambda: LambdaClient;
let builds = 0;

function zipBase64(): string {
  builds += 1;
  const zip = zipSync(
    {
      'index.mjs': new TextEncoder().encode(`export const handler = async () => ({ build: ${builds} });\n`),
      'simulate.json': new TextEncoder().encode('{}'),
    },
    { mtime: '2026-01-01T00:00:00Z' },
  );
  return Buffer.from(zip).toString('base64');
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A call to `ramp api` as a pipeline makes it: bearer token, JSON. */
async function api(method: string, path: string, body?: unknown, token = stack.apiToken): Promise<Answer> {
  const response = await fetch(`${stack.api.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    // While Temporal is down a status read answers 503 at its 5 s deadline (src/releases/release-client.ts).
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function statusOf(releaseId: string): Promise<ReleaseStatus> {
  const answer = await api('GET', `/v1/releases/${encodeURIComponent(releaseId)}`);
  if (answer.status !== 200)
    throw new Error(`status read answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as unknown as ReleaseStatus;
}

const waitForRelease = (
  releaseId: string,
  predicate: (status: ReleaseStatus) => boolean,
  timeoutMs: number,
) => waitForState(() => statusOf(releaseId), predicate, { timeoutMs, what: 'release', intervalMs: 250 });

async function createFunctionWithAlias(name: string): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: 'arn:aws:iam::123456789012:role/r',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: Buffer.from(zipBase64(), 'base64') },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}

async function startRelease(fn: string, steps: { weight: number; bake: string }[]): Promise<string> {
  const answer = await api('POST', '/v1/releases', {
    function: fn,
    alias: 'live',
    code: { zipFile: zipBase64() },
    strategy: { steps },
    health: { interval: '1s', metrics: { errorRate: { max: 0.5 } } },
  });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body.id as string;
}

const isBaking = (status: ReleaseStatus) =>
  status.phase === 'baking' && status.timeline.some((entry) => entry.event === 'weight_set');

/** The release's health watch as Temporal sees it: attempt and the worker (`<pid>@<host>`) running it. */
async function healthWatchOf(releaseId: string) {
  const parsed = parseReleaseId(releaseId);
  assert.ok(parsed);
  const description = await temporal.workflow.getHandle(parsed.workflowId, parsed.runId).describe();
  return description.raw.pendingActivities?.find(
    (activity) => activity.activityType?.name === 'monitorHealth',
  );
}

const pidOf = (identity: string | null | undefined) => Number((identity ?? '').split('@')[0]);

/** Rows of the Temporal server's own tables, read straight from PostgreSQL with psql. */
function psql(database: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(postgresBinDir, 'psql'),
      [
        '-h',
        stack.postgres.host,
        '-p',
        String(stack.postgres.port),
        '-U',
        temporalDatabase.user,
        '-d',
        database,
        '-At',
        '-c',
        sql,
      ],
      {
        env: { PATH: process.env.PATH ?? '', PGPASSWORD: temporalDatabase.password },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`psql exited ${code}: ${out}`)),
    );
  });
}

describe('the production topology: PostgreSQL 15, Temporal server 1.29.1, two ramp workers, ramp api', () => {
  before(
    async () => {
      const startedAt = Date.now();
      stack = await startProdStack({
        // Compose's defaults for every operator variable, whatever the shell running the test has set.
        operatorEnv: {},
        // Health checks read metrics at once, not a minute late as on AWS, and updates settle fast.
        simMetricDelayMs: 0,
        simUpdateDelayMs: 50,
        log: (line) => console.error(line),
      });
      console.error(
        `ramp: the topology came up in ${Date.now() - startedAt} ms (${JSON.stringify(stack.timings)}; binaries from ${stack.binaries.source})`,
      );
      const connection = await Connection.connect({ address: stack.temporal.address });
      temporal = new Client({ connection, namespace: stack.temporal.namespace });
      lambda = new LambdaClient({ ...stack.sim.clientConfig, maxAttempts: 1 });
    },
    { timeout: 45 * 60_000 },
  );

  after(async () => {
    lambda?.destroy();
    await temporal?.connection.close();
    await stack?.stop();
  });

  test('a worker SIGKILLed mid-bake: the other takes the health watch over and the release succeeds', {
    timeout: 5 * 60_000,
  }, async (t) => {
    // Token auth as configured: no token, no answer.
    assert.equal((await api('GET', '/v1/releases', undefined, '')).status, 401);

    const fn = 'prod-worker-kill';
    await createFunctionWithAlias(fn);
    const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
    try {
      // A bake far longer than the test: it is ended by a promote once the other worker has taken over.
      const releaseId = await startRelease(fn, [{ weight: 20, bake: '10m' }]);
      await waitForRelease(releaseId, isBaking, 120_000);
      const watch = await eventually(
        () => healthWatchOf(releaseId),
        (activity) => Boolean(activity?.lastWorkerIdentity),
        60_000,
        250,
      );
      const victim = stack.workers.find((worker) => worker.child.pid === pidOf(watch?.lastWorkerIdentity));
      assert.ok(victim, `one of the stack's workers runs the health watch: ${JSON.stringify(watch)}`);
      const survivor = stack.workers.find((worker) => worker !== victim);
      assert.ok(survivor);

      t.diagnostic(
        `SIGKILL worker ${victim.replica + 1} (pid ${victim.child.pid}), which runs the health watch`,
      );
      await victim.kill();
      // Noticed by its heartbeat timeout (15 s), then retried on the survivor.
      const takenOver = await eventually(
        () => healthWatchOf(releaseId),
        (activity) =>
          (activity?.attempt ?? 1) > 1 && pidOf(activity?.lastWorkerIdentity) === survivor.child.pid,
        120_000,
        250,
      );
      assert.equal(pidOf(takenOver?.lastWorkerIdentity), survivor.child.pid, JSON.stringify(takenOver));
      assert.ok((takenOver?.attempt ?? 1) > 1);
      assert.equal((await statusOf(releaseId)).outcome, null, 'still running');

      const promoted = await api('POST', `/v1/releases/${encodeURIComponent(releaseId)}/promote`, {
        reason: 'the other worker has the bake',
      });
      assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
      const ended = await waitForRelease(releaseId, (status) => status.outcome !== null, 120_000);
      assert.equal(ended.outcome, 'succeeded', JSON.stringify(ended.lastError));
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, ended.candidateVersion);
      assert.equal(alias.RoutingConfig, undefined, 'all traffic on the candidate');
    } finally {
      traffic.stop();
    }
    // Two workers again for what follows, as an orchestrator would restart the dead one.
    const dead = stack.workers.findIndex((worker) => !worker.isRunning());
    if (dead >= 0) await stack.restartWorker(dead);
  });

  test('the Temporal server restarted mid-bake: the release comes back from PostgreSQL, timeline intact, and succeeds; the API answers throughout (503 while Temporal is down)', {
    timeout: 6 * 60_000,
  }, async (t) => {
    const fn = 'prod-server-restart';
    await createFunctionWithAlias(fn);
    const traffic = stack.sim.traffic.start({ functionName: fn, qualifier: 'live', ratePerSecond: 20 });
    // /healthz is asked four times a second throughout: the API process must never stop answering.
    const healthAnswers: (number | string)[] = [];
    let isProbing = true;
    const probing = (async () => {
      while (isProbing) {
        healthAnswers.push(
          await fetch(`${stack.api.url}/healthz`, { signal: AbortSignal.timeout(5_000) })
            .then((response) => response.status)
            .catch((error: Error) => error.message),
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    try {
      // Two steps: the first bake's durable timer spans the restart, and the second step runs after it.
      const releaseId = await startRelease(fn, [
        { weight: 20, bake: '30s' },
        { weight: 50, bake: '2s' },
      ]);
      const before_ = await waitForRelease(releaseId, isBaking, 120_000);
      const parsed = parseReleaseId(releaseId);
      assert.ok(parsed);
      // The release is a row of the server's PostgreSQL database, not of its process.
      const rows = await psql(
        temporalDatabase.databases.persistence,
        `select count(*) from current_executions where workflow_id = '${parsed.workflowId}'`,
      );
      assert.equal(rows, '1', 'the release workflow is in PostgreSQL');

      t.diagnostic('stopping the Temporal server mid-bake');
      const stoppedAt = Date.now();
      await stack.temporal.stop();
      assert.equal(stack.temporal.process().isRunning(), false);

      // The API answers without Temporal: alive, not ready, and a status read is a clear 503.
      assert.equal((await api('GET', '/healthz')).status, 200);
      const readiness = await api('GET', '/readyz');
      assert.equal(readiness.status, 503, JSON.stringify(readiness.body));
      assert.equal(readiness.body.temporal, 'unreachable');
      const readAt = Date.now();
      const read = await api('GET', `/v1/releases/${encodeURIComponent(releaseId)}`);
      t.diagnostic(
        `a status read while Temporal was down answered ${read.status} in ${Date.now() - readAt} ms`,
      );
      assert.equal(read.status, 503, JSON.stringify(read.body));
      const error = read.body.error as { type: string; message: string };
      assert.equal(error.type, 'Unavailable');
      assert.match(error.message, /Temporal is not reachable/);

      await stack.temporal.start();
      t.diagnostic(`the Temporal server was down for ${Date.now() - stoppedAt} ms and serves again`);
      for (const worker of stack.workers)
        assert.ok(worker.isRunning(), `worker ${worker.replica + 1} rode it out`);

      const ended = await waitForRelease(releaseId, (status) => status.outcome !== null, 240_000);
      assert.equal(ended.outcome, 'succeeded', JSON.stringify(ended.lastError));
      assert.deepEqual(
        ended.timeline.slice(0, before_.timeline.length),
        before_.timeline,
        'the timeline recorded before the restart is intact',
      );
      const weights = ended.timeline
        .filter((entry) => entry.event === 'weight_set')
        .map((entry) => entry.details?.weightPercent ?? entry.message);
      assert.ok(weights.length >= 2, `both steps ran: ${JSON.stringify(weights)}`);
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, ended.candidateVersion);
      assert.equal(alias.RoutingConfig, undefined);
    } finally {
      isProbing = false;
      await probing;
      traffic.stop();
    }
    const failures = healthAnswers.filter((answer) => answer !== 200);
    assert.deepEqual(failures, [], `every /healthz answered 200 (${healthAnswers.length} asked)`);
  });
});
