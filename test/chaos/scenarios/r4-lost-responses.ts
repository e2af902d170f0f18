/**
 * R4: the response of each mutating call is lost once (the call lands, the connection drops), for zip,
 * S3 and image code. Ramp's retry must recognise its own change: 0 false conflicts, 0 duplicate versions.
 */

import {
  CreateFunctionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ChaosStack, type CodeKind, startChaosStack, zipOf } from '../chaos-stack.ts';
import { driveReleases, type ScenarioResult, steppedCase, summarise } from '../drive.ts';
import { seededRandom } from '../seeded-random.ts';
import type { ScenarioContext } from './context.ts';

export const lostResponseOperations = [
  'UpdateFunctionCode',
  'PublishVersion',
  'UpdateAlias',
  'CreateAlias',
] as const;

export interface R4Options {
  /** How many times each operation × code kind is tried. */
  rounds: number;
  parallel: number;
  codeKinds: CodeKind[];
}

export const r4Defaults: R4Options = { rounds: 3, parallel: 8, codeKinds: ['zip', 's3', 'image'] };

/** Whether the simulator takes S3 code (UpdateFunctionCode with S3Bucket/S3Key); the S3 case runs only then. */
export async function simulatorTakesS3Code(stack: ChaosStack, name: string): Promise<boolean> {
  try {
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: 'arn:aws:iam::123456789012:role/lambda-role',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Code: { ZipFile: zipOf({}, name) },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: stack.lambda, maxWaitTime: 10, minDelay: 1 },
      { FunctionName: name },
    );
    const s3 = new S3Client({ ...stack.sim.clientConfig, forcePathStyle: true, maxAttempts: 3 });
    await s3.send(new CreateBucketCommand({ Bucket: 'chaos-probe' })).catch(() => undefined);
    await s3.send(
      new PutObjectCommand({ Bucket: 'chaos-probe', Key: 'probe.zip', Body: zipOf({}, `${name}-probe`) }),
    );
    s3.destroy();
    const updated = await stack.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: name, S3Bucket: 'chaos-probe', S3Key: 'probe.zip' }),
    );
    return typeof updated.CodeSha256 === 'string' && updated.CodeSha256.length > 0;
  } catch {
    return false;
  }
}

export async function runR4(
  context: ScenarioContext,
  options: R4Options = r4Defaults,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const random = seededRandom(context.seed + 4);
  const stack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r4`,
  });
  const notes: string[] = [];
  try {
    let codeKinds = options.codeKinds;
    if (codeKinds.includes('s3') && !(await simulatorTakesS3Code(stack, `${context.runId}-r4-s3-probe`))) {
      codeKinds = codeKinds.filter((kind) => kind !== 's3');
      notes.push('S3 code skipped: the simulator does not take S3 code yet');
    }
    const faultOf = new Map<string, string>();
    const cases = codeKinds.flatMap((codeKind) =>
      lostResponseOperations.flatMap((operation) =>
        Array.from({ length: options.rounds }, (_, round) => {
          const name = `${context.runId}-r4-${codeKind}-${operation}-${round}`;
          faultOf.set(name, operation);
          return steppedCase(random, name, {
            codeKind,
            hasAlias: operation !== 'CreateAlias',
            isCandidateBad: false,
          });
        }),
      ),
    );
    const driven = await driveReleases(stack, cases, {
      parallel: options.parallel,
      releaseDeadlineMs: 5 * 60_000,
      onPrepared: (running) => {
        const name = running.releaseCase.functionName;
        stack.sim.faults.loseResponse({ operation: faultOf.get(name) ?? '', functionName: name, count: 1 });
      },
    });
    const lost = stack.sim.faults.list().filter((rule) => rule.kind === 'loseResponse').length;
    if (lost > 0)
      notes.push(`${lost} planned lost response(s) never fired (the release ended before that call)`);
    return summarise('R4 lost responses', driven, startedAt, { notes });
  } finally {
    await stack.close();
  }
}
