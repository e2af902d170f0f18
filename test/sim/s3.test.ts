import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import {
  CreateFunctionCommand,
  InvalidParameterValueException,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Simulator } from '../../src/sim/index.ts';
import { role, withSim, zipOf } from './fixtures.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

async function withS3(
  body: (
    s3: S3Client,
    sim: Simulator,
    lambda: import('@aws-sdk/client-lambda').LambdaClient,
  ) => Promise<void>,
) {
  await withSim({}, async (sim, lambda) => {
    const s3 = new S3Client({ ...sim.clientConfig, forcePathStyle: true, maxAttempts: 1 });
    try {
      await body(s3, sim, lambda);
    } finally {
      s3.destroy();
    }
  });
}

describe("the simulator's S3", () => {
  test('PutObject versions every object; GetObject reads the newest or the version named', async () => {
    await withS3(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'builds' }));
      const first = await s3.send(new PutObjectCommand({ Bucket: 'builds', Key: 'app/v.zip', Body: 'one' }));
      const second = await s3.send(new PutObjectCommand({ Bucket: 'builds', Key: 'app/v.zip', Body: 'two' }));
      assert.ok(first.VersionId && second.VersionId);
      assert.notEqual(first.VersionId, second.VersionId);
      const newest = await s3.send(new GetObjectCommand({ Bucket: 'builds', Key: 'app/v.zip' }));
      assert.equal(await newest.Body?.transformToString(), 'two');
      assert.equal(newest.VersionId, second.VersionId);
      const older = await s3.send(
        new GetObjectCommand({ Bucket: 'builds', Key: 'app/v.zip', VersionId: first.VersionId }),
      );
      assert.equal(await older.Body?.transformToString(), 'one');
    });
  });

  test('a SHA-256 sent with the upload is checked, kept as a FULL_OBJECT checksum and returned only with ChecksumMode ENABLED', async () => {
    await withS3(async (s3) => {
      const bytes = new TextEncoder().encode('package bytes');
      await s3.send(
        new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: bytes, ChecksumSHA256: sha256(bytes) }),
      );
      const withChecksum = await s3.send(
        new HeadObjectCommand({ Bucket: 'b', Key: 'k', ChecksumMode: 'ENABLED' }),
      );
      assert.equal(withChecksum.ChecksumSHA256, sha256(bytes));
      assert.equal(withChecksum.ChecksumType, 'FULL_OBJECT');
      assert.equal(withChecksum.ContentLength, bytes.length);
      const without = await s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }));
      assert.equal(without.ChecksumSHA256, undefined);

      const wrong = await s3
        .send(
          new PutObjectCommand({
            Bucket: 'b',
            Key: 'k2',
            Body: bytes,
            ChecksumSHA256: sha256(new Uint8Array([1])),
          }),
        )
        .catch((error: unknown) => error);
      assert.ok(wrong instanceof S3ServiceException);
      assert.equal(wrong.name, 'BadDigest');
      assert.equal(wrong.$metadata.httpStatusCode, 400);
    });
  });

  test('a streamed upload (aws-chunked, checksum in the trailer) stores the bytes and their SHA-256', async () => {
    await withS3(async (s3) => {
      const bytes = Buffer.from('x'.repeat(100_000));
      await s3.send(
        new PutObjectCommand({
          Bucket: 'b',
          Key: 'streamed',
          Body: Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]),
          ContentLength: bytes.length,
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: 'b', Key: 'streamed', ChecksumMode: 'ENABLED' }),
      );
      assert.equal(head.ChecksumSHA256, sha256(bytes));
      const object = await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'streamed' }));
      assert.equal(
        sha256(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))),
        sha256(bytes),
      );
    });
  });

  test('a missing key is NoSuchKey on GetObject and a 404 NotFound on HeadObject', async () => {
    await withS3(async (s3) => {
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'present', Body: 'x' }));
      const get = await s3
        .send(new GetObjectCommand({ Bucket: 'b', Key: 'absent' }))
        .catch((error: unknown) => error);
      assert.ok(get instanceof NoSuchKey, String(get));
      const head = await s3
        .send(new HeadObjectCommand({ Bucket: 'b', Key: 'absent' }))
        .catch((error: unknown) => error);
      assert.ok(head instanceof S3ServiceException);
      assert.equal(head.$metadata.httpStatusCode, 404);
    });
  });

  test("Lambda deploys an S3 object: CodeSha256 is the SHA-256 of the object's bytes; a missing object is Lambda's NoSuchKey error", async () => {
    await withS3(async (s3, _sim, lambda) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'f',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf() },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'f' },
      );
      const zip = zipOf({ errorRate: 0 }, 'from S3');
      const put = await s3.send(new PutObjectCommand({ Bucket: 'builds', Key: 'f/v2.zip', Body: zip }));
      const updated = await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'f',
          S3Bucket: 'builds',
          S3Key: 'f/v2.zip',
          S3ObjectVersion: put.VersionId,
        }),
      );
      assert.equal(updated.CodeSha256, sha256(zip));
      assert.equal(updated.CodeSize, zip.length);
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'f' },
      );

      const missing = await lambda
        .send(new UpdateFunctionCodeCommand({ FunctionName: 'f', S3Bucket: 'builds', S3Key: 'f/v3.zip' }))
        .catch((error: unknown) => error);
      assert.ok(missing instanceof InvalidParameterValueException, String(missing));
      assert.equal(
        missing.message,
        'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.',
      );
    });
  });
});
