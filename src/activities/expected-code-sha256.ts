import { s3ObjectSha256 } from '../aws/s3-object-sha256.ts';
import type { CodeRef } from '../domain/release-input.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { roleSessionOf } from './role-session.ts';

export interface ExpectedCodeInput extends TargetRole {
  code: CodeRef;
  region: string;
}

export interface ExpectedCode {
  /**
   * The CodeSha256 Lambda will report once this code is deployed; null for an image, whose CodeSha256 is the
   * image digest Lambda resolves itself.
   */
  codeSha256: string | null;
}

/** What CodeSha256 a package will have, known before any write: from the staged artifact, or the S3 object's bytes. */
export async function expectedCodeSha256Of(
  deps: ActivityDeps,
  input: ExpectedCodeInput,
): Promise<ExpectedCode> {
  const { code } = input;
  if (code.kind === 'staged') return { codeSha256: code.codeSha256 };
  if (code.kind === 'image' || code.kind === 'version') return { codeSha256: null };
  try {
    const object = await s3ObjectSha256(deps.aws.s3(input.region, roleSessionOf(input)), {
      bucket: code.bucket,
      key: code.key,
      ...(code.objectVersion ? { objectVersion: code.objectVersion } : {}),
    });
    return { codeSha256: object.sha256 };
  } catch (error) {
    throw activityFailure(`reading s3://${code.bucket}/${code.key}`, error);
  }
}

/** The activity: lets the workflow record the expected CodeSha256 in its history before UpdateFunctionCode. */
export function createExpectedCodeSha256(deps: ActivityDeps) {
  return async function expectedCodeSha256(input: ExpectedCodeInput): Promise<ExpectedCode> {
    return expectedCodeSha256Of(deps, input);
  };
}
