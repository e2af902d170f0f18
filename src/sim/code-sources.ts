import { createHash } from 'node:crypto';
import { behaviourOfLabel, behaviourOfZip } from './behaviour.ts';
import type { CodeState } from './lambda-state.ts';
import { codeFromS3 } from './s3-code.ts';
import type { S3Service } from './s3-service.ts';
import { invalidParameter, SimError } from './sim-error.ts';

/**
 * Where a deployment package comes from, as CreateFunction's `Code` and UpdateFunctionCode name it: zip bytes,
 * an S3 object (read from the simulator's S3, s3-code.ts), or a container image. Each gives the package's
 * CodeSha256, size and how it behaves.
 */
type Body = Record<string, unknown>;

const maxZipBytes = 52_428_800;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function codeFrom(body: Body, packageType: 'Zip' | 'Image', s3: S3Service): CodeState {
  const zip = text(body.ZipFile);
  const imageUri = text(body.ImageUri);
  const bucket = text(body.S3Bucket);
  if (packageType === 'Image' && !imageUri) {
    throw invalidParameter('Please provide ImageUri when updating a function with packageType Image.');
  }
  if (packageType === 'Zip' && imageUri) {
    throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
  }
  if (zip !== undefined) return codeOfZip(Buffer.from(zip, 'base64'));
  if (bucket) return codeFromS3(s3, bucket, text(body.S3Key) ?? '', text(body.S3ObjectVersion));
  if (imageUri) return codeOfImage(imageUri);
  throw invalidParameter('A ZIP file, S3 bucket, or image is required');
}

export function codeOfZip(bytes: Buffer): CodeState {
  if (bytes.length > maxZipBytes)
    throw new SimError(
      413,
      'RequestEntityTooLargeException',
      'Zipped size must be smaller than 52428800 bytes',
      {
        hasType: false,
      },
    );
  const behaviour = behaviourOfZip(bytes);
  if (!behaviour)
    throw invalidParameter(
      'Could not unzip uploaded file. Please check your file, then try to upload again.',
    );
  return { sha256: createHash('sha256').update(bytes).digest('base64'), size: bytes.length, behaviour };
}

export function codeOfImage(imageUri: string): CodeState {
  const sha256 = createHash('sha256').update(imageUri).digest('base64');
  return { sha256, size: 0, behaviour: behaviourOfLabel(imageUri), imageUri };
}
