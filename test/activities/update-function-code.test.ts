import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  type LambdaClient,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createExpectedCodeSha256 } from '../../src/activities/expected-code-sha256.ts';
import { createUpdateFunctionCode } from '../../src/activities/update-function-code.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { alwaysHealthy } from '../../src/health/health-gate.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { role, withSim, zipOf } from '../sim/fixtures.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
const settle = (lambda: LambdaClient, name: string) =>
  waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });

/** A function `f`, settled, and its code's next version in S3 (with or without S3's SHA-256 checksum). */
async function arrange(sim: Simulator, lambda: LambdaClient, options: { isChecksummed: boolean }) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'f',
      Role: role,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zipOf() },
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'f' });
  const s3 = new S3Client({ ...sim.clientConfig, forcePathStyle: true, maxAttempts: 1 });
  const zip = zipOf({}, `v2 ${options.isChecksummed}`);
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: 'builds',
      Key: 'f/v2.zip',
      Body: zip,
      ...(options.isChecksummed ? { ChecksumSHA256: sha256(zip) } : {}),
    }),
  );
  s3.destroy();
  const revisionId =
    (await lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))).Configuration?.RevisionId ?? '';
  const deps = {
    aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
    artifacts: createFileArtifactStore('/nonexistent'),
    healthGate: alwaysHealthy,
  };
  const input = {
    functionName: 'f',
    region: 'us-east-1',
    code: { kind: 's3' as const, bucket: 'builds', key: 'f/v2.zip', objectVersion: put.VersionId ?? '' },
    revisionId,
  };
  return { zip, deps, input, updateFunctionCode: createUpdateFunctionCode(deps) };
}

describe('updating code from S3', () => {
  for (const isChecksummed of [true, false]) {
    test(`a retry after a lost UpdateFunctionCode response recognises Ramp's own update, not a conflict (${isChecksummed ? "S3's SHA-256 checksum" : 'hashing the bytes'})`, async () => {
      await withSim({}, async (sim, lambda) => {
        const { zip, input, updateFunctionCode } = await arrange(sim, lambda, { isChecksummed });

        sim.faults.loseResponse({ operation: 'UpdateFunctionCode', count: 1 });
        const lost = await new MockActivityEnvironment({ attempt: 1 })
          .run(updateFunctionCode, input)
          .catch((e: unknown) => e);
        assert.ok(lost instanceof ApplicationFailure);
        assert.equal(lost.type, 'Transient');
        await settle(lambda, 'f');

        const retried = await new MockActivityEnvironment({ attempt: 2 }).run(updateFunctionCode, input);
        assert.deepEqual(retried, { codeSha256: sha256(zip), isRecovered: true });
        assert.equal(
          sim.calls().filter((call) => call.operation === 'UpdateFunctionCode' && call.status === 200).length,
          1,
        );
      });
    });
  }

  test("someone else's code landing before the retry is still a conflict, with the hash the workflow recorded", async () => {
    await withSim({}, async (sim, lambda) => {
      const { deps, input, updateFunctionCode } = await arrange(sim, lambda, { isChecksummed: false });
      const expected = await new MockActivityEnvironment().run(createExpectedCodeSha256(deps), {
        code: input.code,
        region: 'us-east-1',
      });
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zipOf({}, 'theirs') }));
      await settle(lambda, 'f');

      const failure = await new MockActivityEnvironment({ attempt: 2 })
        .run(updateFunctionCode, {
          ...input,
          expectedCodeSha256: (expected as { codeSha256: string }).codeSha256,
        })
        .catch((e: unknown) => e);
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, 'Conflict');
      assert.match(failure.message, /Ramp changed nothing/);
    });
  });

  test('a missing S3 object is a terminal InvalidRequest naming S3 NoSuchKey, before anything is written', async () => {
    await withSim({}, async (sim, lambda) => {
      const { input, updateFunctionCode } = await arrange(sim, lambda, { isChecksummed: false });
      const failure = await new MockActivityEnvironment()
        .run(updateFunctionCode, {
          ...input,
          code: { kind: 's3' as const, bucket: 'builds', key: 'f/typo.zip' },
        })
        .catch((e: unknown) => e);
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, 'NotFound');
      assert.match(failure.message, /s3:\/\/builds\/f\/typo\.zip/);
      assert.equal(sim.calls().filter((call) => call.operation === 'UpdateFunctionCode').length, 0);
    });
  });
});
