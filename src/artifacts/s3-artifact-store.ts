import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ArtifactMissingError,
  type ArtifactStore,
  describeArtifact,
  verifyArtifact,
} from './artifact-store.ts';

/** An S3 bucket: for production, where API and workers run on different machines. */
export function createS3ArtifactStore(client: S3Client, bucket: string, prefix = ''): ArtifactStore {
  const objectKey = (key: string) => `${prefix}${key}`;
  return {
    location: `s3://${bucket}/${prefix}`,
    async put(bytes) {
      const artifact = describeArtifact(bytes);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: objectKey(artifact.key),
          Body: bytes,
          // S3 checks the upload against this SHA-256, so a corrupted upload is refused at the source.
          ChecksumSHA256: artifact.codeSha256,
        }),
      );
      return artifact;
    },
    async get(artifact) {
      try {
        const response = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: objectKey(artifact.key) }),
        );
        const bytes = await response.Body?.transformToByteArray();
        if (!bytes)
          throw new ArtifactMissingError(`Artifact s3://${bucket}/${objectKey(artifact.key)} is empty`);
        return verifyArtifact(bytes, artifact);
      } catch (error) {
        if (error instanceof NoSuchKey) {
          throw new ArtifactMissingError(`Artifact s3://${bucket}/${objectKey(artifact.key)} does not exist`);
        }
        throw error;
      }
    },
  };
}

/** `file:///dir` or `s3://bucket/prefix/`, as RAMP_ARTIFACT_STORE spells it. */
export function parseArtifactStoreUrl(
  url: string,
): { kind: 'file'; directory: string } | { kind: 's3'; bucket: string; prefix: string } {
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') return { kind: 'file', directory: decodeURIComponent(parsed.pathname) };
  if (parsed.protocol === 's3:')
    return { kind: 's3', bucket: parsed.hostname, prefix: parsed.pathname.replace(/^\//, '') };
  throw new Error(`RAMP_ARTIFACT_STORE must be file:///dir or s3://bucket/prefix, not ${url}`);
}
