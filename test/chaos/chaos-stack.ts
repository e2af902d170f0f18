/**
 * Everything one chaos scenario runs against: the simulator, the call gate in front of it, a release
 * worker in a child process (killable), and the product's own ReleaseClient over a real Temporal dev
 * server. Each release gets a function of its own, so its alias history is its alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { zipSync } from 'fflate';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { type ReleaseSpecInput, validateReleaseSpec } from '../../src/domain/spec.ts';
import { createReleaseClient, type ReleaseClient } from '../../src/releases/release-client.ts';
import { type Simulator, startSimulator } from '../../src/sim/index.ts';
import { bundlerLogger } from '../../src/temporal/bundler-logger.ts';
import { type CallGate, startCallGate } from './call-gate.ts';
import type { OutsideChange, ReleaseRecord } from './invariants.ts';
import { createWorkerPool, type WorkerPool } from './worker-pool.ts';

export type CodeKind = 'zip' | 's3' | 'image';

/** One release the scenario drives: which function, what code, which plan, and whether the candidate is bad. */
export interface ReleaseCase {
  functionName: string;
  codeKind: CodeKind;
  /** False: the function has versions but no alias yet, so the release creates it (CreateAlias). */
  hasAlias: boolean;
  /** Custom steps; empty means AllAtOnce. */
  steps: { weight: number; bake: string }[];
  /** The candidate fails every invocation: its alarm fires and the release must roll back. */
  isCandidateBad: boolean;
}

export interface RunningRelease {
  releaseCase: ReleaseCase;
  releaseId: string;
  stableVersion: string | null;
  versionsBefore: string[];
  outsideChanges: (OutsideChange & { seq: number })[];
  stopTraffic(): void;
}

export interface ChaosStack {
  sim: Simulator;
  gate: CallGate;
  workers: WorkerPool;
  client: Client;
  releases: ReleaseClient;
  /** A client straight to the simulator (not through the gate): the suite's own reads and outside changes. */
  lambda: LambdaClient;
  prepare(releaseCase: ReleaseCase): Promise<RunningRelease>;
  start(running: RunningRelease): Promise<void>;
  /** The release's final status, or undefined when it has not ended by the deadline. */
  waitForEnd(running: RunningRelease, deadline: number): Promise<ReleaseStatus | undefined>;
  record(running: RunningRelease, status: ReleaseStatus | undefined): Promise<ReleaseRecord>;
  close(): Promise<void>;
}

export const aliasName = 'live';
const role = 'arn:aws:iam::123456789012:role/lambda-role';
const imageRepo = '123456789012.dkr.ecr.us-east-1.amazonaws.com/chaos';

let builtBundle: Promise<string> | undefined;

/** The production workflows, bundled once per process (the test runner's bundle when it has one). */
export function workflowBundlePath(): Promise<string> {
  const fromRunner = process.env.RAMP_TEST_WORKFLOW_BUNDLE;
  if (fromRunner) return Promise.resolve(fromRunner);
  builtBundle ??= (async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: new URL('../../src/workflows/index.ts', import.meta.url).pathname,
      logger: bundlerLogger(),
    });
    // Outlives every stack of this process, and goes with it.
    const directory = mkdtempSync(join(tmpdir(), 'ramp-chaos-bundle-'));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    const path = join(directory, 'workflow-bundle.js');
    writeFileSync(path, code);
    return path;
  })();
  return builtBundle;
}

export function zipOf(behaviour: { errorRate?: number }, marker: string): Uint8Array {
  return zipSync(
    {
      'index.mjs': new TextEncoder().encode(`export const handler = async () => ({ build: '${marker}' });\n`),
      'simulate.json': new TextEncoder().encode(JSON.stringify(behaviour)),
    },
    { mtime: '2026-01-01T00:00:00Z' },
  );
}

const s3Bucket = 'chaos-artifacts';
const s3KeyOf = (releaseCase: ReleaseCase) => `${releaseCase.functionName}/v2.zip`;
const candidateZip = (releaseCase: ReleaseCase) =>
  zipOf(releaseCase.isCandidateBad ? { errorRate: 1 } : {}, `${releaseCase.functionName}-v2`);

function candidateCode(releaseCase: ReleaseCase): ReleaseSpecInput['code'] {
  const bad = releaseCase.isCandidateBad;
  switch (releaseCase.codeKind) {
    case 'zip':
      return {
        zipFile: Buffer.from(candidateZip(releaseCase)).toString('base64'),
      };
    case 's3':
      // Uploaded to the simulator's S3 by createFunction; Lambda reads the object's bytes.
      return { s3Bucket: s3Bucket, s3Key: s3KeyOf(releaseCase) };
    case 'image':
      return { imageUri: `${imageRepo}:${releaseCase.functionName}-v2${bad ? '--errors-100' : ''}` };
  }
}

export function releaseSpecOf(releaseCase: ReleaseCase): ReleaseSpecInput {
  return {
    function: releaseCase.functionName,
    alias: aliasName,
    code: candidateCode(releaseCase),
    // A release onto a function without the alias is its first one: it must ask to create the alias.
    ...(releaseCase.hasAlias ? {} : { createAlias: true }),
    strategy: releaseCase.steps.length === 0 ? 'AllAtOnce' : { steps: releaseCase.steps },
    ...(releaseCase.hasAlias
      ? { health: { alarms: [`${releaseCase.functionName}-errors`], interval: '1s' } }
      : {}),
  };
}

export async function startChaosStack(options: {
  temporalAddress: string;
  namespace?: string;
  seed: number;
  taskQueue: string;
  updateDelayMs?: number;
}): Promise<ChaosStack> {
  const scratch = mkdtempSync(join(tmpdir(), 'ramp-chaos-'));
  // The suite checks invariants under faults, not reaction time: CloudWatch's delay would only make its
  // bad candidates take longer to roll back, so metrics are visible at once.
  const sim = await startSimulator({
    updateDelayMs: options.updateDelayMs ?? 50,
    seed: options.seed,
    metricDelayMs: 0,
  });
  const gate = await startCallGate(sim.endpoint);
  const namespace = options.namespace ?? 'default';
  const artifactDir = join(scratch, 'artifacts');
  const workers = createWorkerPool({
    temporalAddress: options.temporalAddress,
    namespace,
    taskQueue: options.taskQueue,
    awsEndpoint: gate.endpoint,
    artifactDir,
    workflowBundlePath: await workflowBundlePath(),
  });
  const connection = await Connection.connect({ address: options.temporalAddress });
  const client = new Client({ connection, namespace });
  const releases = createReleaseClient({
    client,
    artifacts: createFileArtifactStore(artifactDir),
    taskQueue: options.taskQueue,
    defaultRegion: sim.region,
  });
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 3 });
  const s3 = new S3Client({ ...sim.clientConfig, forcePathStyle: true, maxAttempts: 3 });
  await workers.start();

  async function createFunction(releaseCase: ReleaseCase): Promise<void> {
    const name = releaseCase.functionName;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: role,
        Publish: true,
        ...(releaseCase.codeKind === 'image'
          ? { PackageType: 'Image', Code: { ImageUri: `${imageRepo}:${name}-v1` } }
          : {
              Runtime: 'nodejs20.x',
              Handler: 'index.handler',
              Code: { ZipFile: zipOf({}, `${name}-v1`) },
            }),
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
    if (releaseCase.codeKind === 's3') {
      await s3.send(new CreateBucketCommand({ Bucket: s3Bucket })).catch(() => undefined);
      await s3.send(
        new PutObjectCommand({
          Bucket: s3Bucket,
          Key: s3KeyOf(releaseCase),
          Body: candidateZip(releaseCase),
        }),
      );
    }
  }

  async function versionsOf(functionName: string) {
    const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName }));
    return (listed.Versions ?? []).filter((v) => v.Version !== '$LATEST');
  }

  return {
    sim,
    gate,
    workers,
    client,
    releases,
    lambda,
    async prepare(releaseCase) {
      await createFunction(releaseCase);
      const name = releaseCase.functionName;
      if (releaseCase.hasAlias) {
        await lambda.send(
          new CreateAliasCommand({ FunctionName: name, Name: aliasName, FunctionVersion: '1' }),
        );
        sim.alarms.put({
          name: `${name}-errors`,
          metric: 'Errors',
          dimensions: { FunctionName: name, Resource: `${name}:${aliasName}` },
          statistic: 'Sum',
          threshold: 0,
          comparison: 'GreaterThanThreshold',
          periodSec: 10,
          evaluationPeriods: 1,
        });
      }
      const traffic = releaseCase.hasAlias
        ? sim.traffic.start({ functionName: name, qualifier: aliasName, ratePerSecond: 10 })
        : undefined;
      return {
        releaseCase,
        releaseId: '',
        stableVersion: releaseCase.hasAlias ? '1' : null,
        versionsBefore: (await versionsOf(name)).map((v) => v.Version ?? ''),
        outsideChanges: [],
        stopTraffic: () => traffic?.stop(),
      };
    },
    async start(running) {
      const result = validateReleaseSpec(releaseSpecOf(running.releaseCase));
      if (!result.ok) throw new Error(`the suite built an invalid spec: ${JSON.stringify(result.problems)}`);
      running.releaseId = (await releases.start(result.spec)).releaseId;
    },
    async waitForEnd(running, deadline) {
      const parsed = parseReleaseId(running.releaseId);
      if (!parsed) throw new Error(`not a release id: ${running.releaseId}`);
      const handle = client.workflow.getHandle(parsed.workflowId, parsed.runId);
      while (Date.now() < deadline) {
        let isClosed = false;
        try {
          isClosed = (await handle.describe()).status.name !== 'RUNNING';
        } catch {
          // The dev server restarting (R2), or a blip: ask again.
        }
        if (isClosed) {
          // A release that closed without a status of its own (cancelled, terminated) has no outcome to report.
          return await releases.status(running.releaseId).catch(() => undefined);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return undefined;
    },
    async record(running, status) {
      const name = running.releaseCase.functionName;
      const versions = await versionsOf(name);
      const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      const laterCalls = (seq: number) =>
        gate.calls.filter((call) => call.seq > seq && call.functionName === name);
      return {
        releaseId: running.releaseId,
        functionName: name,
        alias: aliasName,
        stableVersion: running.stableVersion,
        candidateVersion: status?.candidateVersion ?? null,
        planWeightsPercent: running.releaseCase.steps.map((step) => step.weight),
        outcomes: status?.outcome ? [status.outcome] : [],
        lastError: status?.lastError ? `${status.lastError.type}: ${status.lastError.message}` : undefined,
        aliasHistory: sim.aliasHistory(name, aliasName).map((state) => ({ ...state })),
        latestCodeSha256: latest.CodeSha256,
        newVersions: versions
          .filter((v) => !running.versionsBefore.includes(v.Version ?? ''))
          .map((v) => ({ version: v.Version ?? '', codeSha256: v.CodeSha256 ?? '' })),
        outsideChanges: running.outsideChanges.map(({ seq, kind, mark }) => ({
          kind,
          mark,
          // Ramp had the chance to see the change if it called AWS about that resource afterwards.
          isSeenByRamp: laterCalls(seq).some((call) =>
            kind === 'alias'
              ? call.qualifier === aliasName
              : ['UpdateFunctionCode', 'PublishVersion', 'GetFunction', 'GetFunctionConfiguration'].includes(
                  call.operation,
                ) && call.qualifier === undefined,
          ),
        })),
      };
    },
    async close() {
      sim.faults.clear();
      await workers.stop();
      await connection.close();
      await gate.close();
      lambda.destroy();
      await sim.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
