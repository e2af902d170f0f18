/**
 * Lambda reading a deployment package from S3 (UpdateFunctionCode / CreateFunction with S3Bucket, S3Key,
 * S3ObjectVersion): the object's bytes are the package, so CodeSha256 is the SHA-256 of those bytes, exactly
 * as for a ZipFile upload. A missing object is Lambda's 400 InvalidParameterValueException quoting S3's code:
 * "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."
 */
import { createHash } from 'node:crypto';
import { behaviourOfZip } from './behaviour.ts';
import type { CodeState } from './lambda-state.ts';
import { S3Error, type S3Service } from './s3-service.ts';
import { invalidParameter } from './sim-error.ts';

export function codeFromS3(
  s3: S3Service,
  bucket: string,
  key: string,
  versionId: string | undefined,
): CodeState {
  let bytes: Buffer;
  try {
    bytes = s3.getObject(bucket, key, versionId).bytes;
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    throw invalidParameter(
      `Error occurred while GetObject. S3 Error Code: ${error.code}. S3 Error Message: ${error.message}`,
    );
  }
  const behaviour = behaviourOfZip(bytes);
  if (!behaviour)
    throw invalidParameter(
      'Could not unzip uploaded file. Please check your file, then try to upload again.',
    );
  return { sha256: createHash('sha256').update(bytes).digest('base64'), size: bytes.length, behaviour };
}
