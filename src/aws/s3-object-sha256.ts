/**
 * The SHA-256 of an S3 object, base64: exactly the CodeSha256 Lambda will report after deploying that object as a
 * function's code. Known before the update, it lets a retried UpdateFunctionCode recognise its own earlier
 * (response-lost) deployment by the hash now in place.
 *
 * S3 keeps a SHA-256 of the whole object when the upload sent one (`x-amz-checksum-sha256` on a single PutObject),
 * and HeadObject returns it with `ChecksumMode: ENABLED`. A multipart upload's SHA-256 is COMPOSITE (a hash of the
 * parts' hashes, `…-3`), not the object's, and most objects carry only S3's default CRC64NVME: for those the bytes
 * are read and hashed as they stream, never held whole in memory.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface S3ObjectRef {
  bucket: string;
  key: string;
  objectVersion?: string;
}

export interface S3ObjectSha256 {
  /** base64 SHA-256 of the object's bytes. */
  sha256: string;
  /** The object version hashed (absent for an unversioned bucket). */
  versionId: string | undefined;
  /** Where the hash came from: S3's stored full-object checksum, or hashing the bytes. */
  source: 'checksum' | 'bytes';
}

/** S3's stored SHA-256 when it is the whole object's; undefined for a composite or absent checksum. */
export function fullObjectSha256(head: {
  ChecksumSHA256?: string | undefined;
  ChecksumType?: string | undefined;
}): string | undefined {
  return head.ChecksumType === 'FULL_OBJECT' && head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-')
    ? head.ChecksumSHA256
    : undefined;
}

export async function s3ObjectSha256(s3: S3Client, ref: S3ObjectRef): Promise<S3ObjectSha256> {
  const head = await s3.send(
    new HeadObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      ChecksumMode: 'ENABLED',
      ...(ref.objectVersion ? { VersionId: ref.objectVersion } : {}),
    }),
  );
  const versionId = ref.objectVersion ?? head.VersionId;
  const stored = fullObjectSha256(head);
  if (stored) return { sha256: stored, versionId, source: 'checksum' };
  // Pinned to the version HeadObject saw, so the bytes hashed are that object's even if a new one lands meanwhile.
  const object = await s3.send(
    new GetObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  const hash = createHash('sha256');
  for await (const chunk of (object.Body ?? []) as AsyncIterable<Uint8Array>) hash.update(chunk);
  return { sha256: hash.digest('base64'), versionId, source: 'bytes' };
}
