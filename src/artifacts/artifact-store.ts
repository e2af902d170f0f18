/**
 * Deployment packages are staged here by their SHA-256 before a release starts, so the workflow carries
 * only a reference: Temporal refuses payloads over 2 MB and keeps every payload in the history forever.
 * Content-addressed keys make staging idempotent (the same zip twice is one object).
 */
import { createHash } from 'node:crypto';

export interface StagedArtifact {
  key: string;
  /** base64 of the SHA-256: the CodeSha256 Lambda reports for this zip. */
  codeSha256: string;
  sizeBytes: number;
}

export interface ArtifactStore {
  /** Where artifacts live, for logs and docs (`file:///…`, `s3://…`). */
  readonly location: string;
  put(bytes: Uint8Array): Promise<StagedArtifact>;
  /** The bytes, verified against their hash: a corrupted or swapped artifact is never uploaded. */
  get(artifact: Pick<StagedArtifact, 'key' | 'codeSha256'>): Promise<Uint8Array>;
}

export class ArtifactMissingError extends Error {
  override name = 'ArtifactMissingError';
}

export class ArtifactCorruptError extends Error {
  override name = 'ArtifactCorruptError';
}

export function describeArtifact(bytes: Uint8Array): StagedArtifact {
  const digest = createHash('sha256').update(bytes).digest();
  return {
    key: `sha256/${digest.toString('hex')}.zip`,
    codeSha256: digest.toString('base64'),
    sizeBytes: bytes.length,
  };
}

export function verifyArtifact(
  bytes: Uint8Array,
  expected: Pick<StagedArtifact, 'key' | 'codeSha256'>,
): Uint8Array {
  const actual = describeArtifact(bytes).codeSha256;
  if (actual !== expected.codeSha256) {
    throw new ArtifactCorruptError(
      `Artifact ${expected.key} does not match its hash: expected CodeSha256 ${expected.codeSha256}, found ${actual}`,
    );
  }
  return bytes;
}
