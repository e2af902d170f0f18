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
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { releaseSpecSchema } from '../../src/domain/spec.ts';
import { createReleaseClient } from '../../src/releases/release-client.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { temporalEnvironment, uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../fixtures/worker-process.ts', import.meta.url).pathname],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

test('a worker killed with SIGKILL mid-bake is replaced, and the release finishes with one published version', async () => {
  const temporal = await temporalEnvironment();
  const sim = await startSimulator({ updateDelayMs: 50 });
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
  const artifactDir = mkdtempSync(join(tmpdir(), 'ramp-crash-'));
  const taskQueue = uniqueName('crash');
  const env = {
    RAMP_TEST_TEMPORAL_ADDRESS: temporal.address,
    RAMP_TEST_TASK_QUEUE: taskQueue,
    RAMP_TEST_SIM_ENDPOINT: sim.endpoint,
    RAMP_TEST_ARTIFACT_DIR: artifactDir,
  };
  const workers: ChildProcess[] = [];
  try {
    const fn = uniqueName('crash');
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        Role: 'arn:aws:iam::123456789012:role/r',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Code: { ZipFile: zipWith() },
        Publish: true,
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: fn });
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1' }));
    const releases = createReleaseClient({
      client: temporal.client,
      artifacts: createFileArtifactStore(artifactDir),
      taskQueue,
      defaultRegion: 'us-east-1',
    });
    workers.push(await startWorker(env));

    const { releaseId } = await releases.start(
      releaseSpecSchema.parse({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 20, bake: '3s' }] },
      }),
    );
    await waitForStatus(releases, releaseId, (s) => s.phase === 'baking');
    workers[0]?.kill('SIGKILL');
    workers.push(await startWorker(env));
    const status = await waitForEnd(releases, releaseId, 90_000);

    assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
    const published = sim
      .calls()
      .filter((c) => c.operation === 'PublishVersion' && c.functionName === fn && c.status === 201);
    assert.equal(published.length, 1, 'no version published twice');
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
    assert.equal(alias.FunctionVersion, status.candidateVersion);
    assert.equal(alias.RoutingConfig, undefined);
  } finally {
    for (const worker of workers) worker.kill('SIGKILL');
    lambda.destroy();
    await sim.close();
    rmSync(artifactDir, { recursive: true, force: true });
  }
});
