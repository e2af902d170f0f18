import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { fullObjectSha256, s3ObjectSha256 } from '../../src/aws/s3-object-sha256.ts';
import { withSim } from '../sim/fixtures.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe("an S3 object's SHA-256", () => {
  test("is S3's stored checksum when it covers the whole object, and the streamed bytes' hash otherwise", async () => {
    await withSim({}, async (sim) => {
      const s3 = createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }).s3(
        'us-east-1',
      );
      const bytes = new TextEncoder().encode('a package');
      await s3.send(
        new PutObjectCommand({
          Bucket: 'b',
          Key: 'with-checksum',
          Body: bytes,
          ChecksumSHA256: sha256(bytes),
        }),
      );
      const plain = await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'plain', Body: bytes }));
      await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'plain', Body: 'a newer object' }));

      assert.deepEqual(await s3ObjectSha256(s3, { bucket: 'b', key: 'with-checksum' }), {
        sha256: sha256(bytes),
        versionId: (await s3ObjectSha256(s3, { bucket: 'b', key: 'with-checksum' })).versionId,
        source: 'checksum',
      });
      const pinned = await s3ObjectSha256(s3, {
        bucket: 'b',
        key: 'plain',
        objectVersion: plain.VersionId ?? '',
      });
      assert.deepEqual(pinned, { sha256: sha256(bytes), versionId: plain.VersionId, source: 'bytes' });
      const newest = await s3ObjectSha256(s3, { bucket: 'b', key: 'plain' });
      assert.equal(newest.sha256, sha256(new TextEncoder().encode('a newer object')));
    });
  });

  test("a multipart upload's COMPOSITE SHA-256 is not the object's and is never used as its hash", () => {
    assert.equal(fullObjectSha256({ ChecksumSHA256: 'abc=-3', ChecksumType: 'COMPOSITE' }), undefined);
    assert.equal(fullObjectSha256({ ChecksumSHA256: 'abc=', ChecksumType: 'COMPOSITE' }), undefined);
    assert.equal(fullObjectSha256({ ChecksumSHA256: undefined, ChecksumType: 'FULL_OBJECT' }), undefined);
    assert.equal(fullObjectSha256({ ChecksumSHA256: 'abc=', ChecksumType: 'FULL_OBJECT' }), 'abc=');
  });
});
