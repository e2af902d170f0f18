/**
 * S3, end to end against the simulator's S3 (issue 15, item 7): a release of code that lives in S3, and a
 * worker and client that stage deployment packages in an S3 artifact store. Real @aws-sdk/client-s3
 * (path-style, as an endpoint that is not AWS's needs), real dev server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ArtifactCorruptError,
  ArtifactMissingError,
  describeArtifact,
} from '../../src/artifacts/artifact-store.ts';
import { createS3ArtifactStore } from '../../src/artifacts/s3-artifact-store.ts';
import { withReleaseStack, zipBase64, zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd } from '../helpers/wait-for.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe('S3 against the simulator', () => {
  test('a release of code in S3 publishes a version whose CodeSha256 is the object’s, at the version asked for', async () => {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('s3code');
      await stack.createFunctionWithAlias(fn, 'live');
      const s3 = new S3Client({ ...stack.sim.clientConfig, forcePathStyle: true, maxAttempts: 1 });
      const first = zipWith({}, `${fn}-first`);
      const second = zipWith({}, `${fn}-second`);
      const put = async (body: Uint8Array) =>
        (await s3.send(new PutObjectCommand({ Bucket: 'builds', Key: `${fn}.zip`, Body: body }))).VersionId;
      const firstVersion = await put(first);
      await put(second);
      // The older object version is asked for: its bytes are released, not the newest.
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { s3Bucket: 'builds', s3Key: `${fn}.zip`, s3ObjectVersion: firstVersion },
        strategy: 'AllAtOnce',
      });
      const status = await waitForEnd(stack.releases, id, 60_000);
      s3.destroy();
      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      const candidate = await stack.lambda.send(
        new GetFunctionCommand({ FunctionName: fn, Qualifier: status.candidateVersion ?? '' }),
      );
      assert.equal(candidate.Configuration?.CodeSha256, sha256(first));
      assert.equal(status.codeSha256, sha256(first));
    });
  });

  test('a release whose package is staged in an S3 artifact store is read back by the worker and released', async () => {
    await withReleaseStack({ artifactStore: 's3' }, async (stack) => {
      const fn = uniqueName('s3staged');
      await stack.createFunctionWithAlias(fn, 'live');
      const zip = zipBase64({}, `${fn}-v2`);
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zip },
        strategy: 'AllAtOnce',
      });
      const status = await waitForEnd(stack.releases, id, 60_000);
      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      assert.equal(status.codeSha256, sha256(Buffer.from(zip, 'base64')));
      const s3 = new S3Client({ ...stack.sim.clientConfig, forcePathStyle: true, maxAttempts: 1 });
      const key = `packages/${describeArtifact(Buffer.from(zip, 'base64')).key}`;
      const staged = await s3.send(new HeadObjectCommand({ Bucket: 'ramp-artifacts', Key: key }));
      s3.destroy();
      assert.equal(staged.ContentLength, Buffer.from(zip, 'base64').length, 'the package was staged in S3');
    });
  });

  test('the S3 artifact store refuses a missing or altered package', async () => {
    await withReleaseStack({}, async (stack) => {
      const s3 = new S3Client({ ...stack.sim.clientConfig, forcePathStyle: true, maxAttempts: 1 });
      const store = createS3ArtifactStore(s3, 'ramp-artifacts', 'checks/');
      const artifact = await store.put(zipWith({}, 'one'));
      assert.deepEqual(await store.get(artifact), zipWith({}, 'one'));
      await assert.rejects(store.get({ ...artifact, key: `${artifact.key}-gone` }), ArtifactMissingError);
      await s3.send(
        new PutObjectCommand({
          Bucket: 'ramp-artifacts',
          Key: `checks/${artifact.key}`,
          Body: zipWith({}, 'two'),
        }),
      );
      await assert.rejects(store.get(artifact), ArtifactCorruptError);
      s3.destroy();
    });
  });
});
