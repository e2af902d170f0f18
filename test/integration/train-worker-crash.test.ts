import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { trainSpecSchema } from '../../src/domain/train-spec.ts';
import type { TrainStatus } from '../../src/domain/train-status.ts';
import { createTrainClient } from '../../src/releases/train-client.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import { eventually } from '../helpers/wait-for.ts';

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../fixtures/worker-process.ts', import.meta.url).pathname],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

test('a worker killed with SIGKILL mid-train is replaced, and the train finishes every wave once', async () => {
  const temporal = await temporalEnvironment();
  const sim = await startSimulator({ updateDelayMs: 50 });
  const regions = ['us-east-1', 'eu-west-1'];
  const lambdas = Object.fromEntries(
    regions.map((region) => [region, new LambdaClient({ ...sim.clientConfig, region, maxAttempts: 1 })]),
  );
  const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-train-crash-'));
  const taskQueue = uniqueName('train-crash');
  const env = {
    RAMP_TEST_TEMPORAL_ADDRESS: temporal.address,
    RAMP_TEST_TASK_QUEUE: taskQueue,
    RAMP_TEST_SIM_ENDPOINT: sim.endpoint,
    RAMP_TEST_ARTIFACT_DIR: artifactDir,
  };
  const workers: ChildProcess[] = [];
  try {
    const fn = uniqueName('crash');
    for (const region of regions) {
      const lambda = lambdas[region] as LambdaClient;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn,
          Role: 'arn:aws:iam::123456789012:role/r',
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipWith({}, `${fn}-${region}`) },
          Publish: true,
        }),
      );
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: fn });
      await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1' }));
    }
    const trains = createTrainClient({
      client: temporal.client,
      artifacts: createFileArtifactStore(artifactDir),
      taskQueue,
      defaultRegion: 'us-east-1',
    });
    workers.push(await startWorker(env));

    const { trainId } = await trains.start(
      trainSpecSchema.parse({
        name: 'crash',
        defaults: {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: { steps: [{ weight: 20, bake: '3s' }] },
        },
        waves: [
          { name: 'us', targets: [{ region: 'us-east-1' }] },
          { name: 'eu', targets: [{ region: 'eu-west-1' }] },
        ],
      }),
    );
    const poll = async (predicate: (s: TrainStatus) => boolean, timeoutMs: number) => {
      // A status read fails while no worker serves the train (it was just killed): keep polling.
      const status = await eventually(
        () => trains.status(trainId).catch(() => undefined),
        (s) => s !== undefined && predicate(s),
        timeoutMs,
        100,
      );
      if (!status || !predicate(status)) throw new Error(`timed out; last: ${JSON.stringify(status)}`);
      return status;
    };
    await poll((s) => s.waves[0]?.targets[0]?.phase === 'baking', 30_000);
    workers[0]?.kill('SIGKILL');
    workers.push(await startWorker(env));
    const status = await poll((s) => s.outcome !== null, 120_000);

    assert.equal(status.outcome, 'succeeded', JSON.stringify(status.timeline, null, 2));
    for (const [index, region] of regions.entries()) {
      const lambda = lambdas[region] as LambdaClient;
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
      const published = (versions.Versions ?? []).filter((v) => v.Version !== '$LATEST' && v.Version !== '1');
      assert.equal(published.length, 1, `one version published in ${region}`);
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      assert.equal(alias.FunctionVersion, status.waves[index]?.targets[0]?.candidateVersion);
    }
  } finally {
    for (const worker of workers) worker.kill('SIGKILL');
    for (const lambda of Object.values(lambdas)) lambda.destroy();
    await sim.close();
    rmSync(artifactDir, { recursive: true, force: true });
  }
});
