import {
  GetFunctionCommand,
  UpdateFunctionCodeCommand,
  type UpdateFunctionCodeRequest,
} from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { FailureType } from '../domain/failure-types.ts';
import type { CodeRef } from '../domain/release-input.ts';
import { roleFieldsOf, type TargetRole } from '../domain/role-arn.ts';
import { activityFailure, classify, conflictFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { expectedCodeSha256Of } from './expected-code-sha256.ts';
import { roleSessionOf } from './role-session.ts';

export interface UpdateCodeInput extends TargetRole {
  functionName: string;
  region: string;
  code: CodeRef;
  /** UpdateFunctionCode's RevisionId guard: the function as the release last saw it. */
  revisionId: string;
  /**
   * For S3 code: the object's SHA-256 from the expectedCodeSha256 activity, recorded in history. Absent (and in
   * releases started before it existed), the activity hashes the object itself before its first update.
   */
  expectedCodeSha256?: string;
}

/** Kept across attempts in heartbeat details: the hash known before the first attempt's update. */
interface UpdateProgress {
  expectedCodeSha256?: string;
}

export interface UpdateCodeResult {
  /** The CodeSha256 Lambda computed for the uploaded package: the guard for PublishVersion. */
  codeSha256: string;
  /** Whether this attempt found its own earlier (response-lost) update already in place. */
  isRecovered: boolean;
}

export function createUpdateFunctionCode(deps: ActivityDeps) {
  async function request(
    code: CodeRef,
  ): Promise<Omit<UpdateFunctionCodeRequest, 'FunctionName' | 'RevisionId'>> {
    if (code.kind === 'staged') return { ZipFile: await deps.artifacts.get(code) };
    if (code.kind === 's3') {
      return {
        S3Bucket: code.bucket,
        S3Key: code.key,
        ...(code.objectVersion ? { S3ObjectVersion: code.objectVersion } : {}),
      };
    }
    if (code.kind === 'image') return { ImageUri: code.imageUri };
    // The workflow never updates the code of a release of an existing version; reaching here is a bug.
    throw new TypeError(`UpdateFunctionCode has no package to send for code of kind ${code.kind}`);
  }

  /**
   * The CodeSha256 this update will leave in place, known before it is sent: a staged zip's own hash; for S3 code
   * the object's (given, from an earlier attempt, or read now), so a lost response is recognised as Ramp's own.
   */
  async function expectedSha(input: UpdateCodeInput): Promise<string | undefined> {
    if (input.code.kind === 'staged') return input.code.codeSha256;
    if (input.code.kind !== 's3') return undefined;
    const context = Context.current();
    const previous = context.info.heartbeatDetails as UpdateProgress | undefined;
    const sha256 =
      input.expectedCodeSha256 ??
      previous?.expectedCodeSha256 ??
      (await expectedCodeSha256Of(deps, { code: input.code, region: input.region, ...roleFieldsOf(input) }))
        .codeSha256 ??
      undefined;
    if (sha256) context.heartbeat({ expectedCodeSha256: sha256 } satisfies UpdateProgress);
    return sha256;
  }

  return async function updateFunctionCode(input: UpdateCodeInput): Promise<UpdateCodeResult> {
    const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
    const expectedCodeSha256 = await expectedSha(input);
    try {
      const response = await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: input.functionName,
          RevisionId: input.revisionId,
          ...(await request(input.code)),
        }),
      );
      return { codeSha256: response.CodeSha256 ?? '', isRecovered: false };
    } catch (error) {
      if (classify(error).type !== FailureType.Conflict) throw activityFailure('UpdateFunctionCode', error);
      // Every UpdateFunctionCode gives the function a new RevisionId, so a retry after a lost response
      // fails its own guard. Recognise our own earlier update by the code now in place; anything else is
      // someone else's change.
      const fn = await lambda
        .send(new GetFunctionCommand({ FunctionName: input.functionName }))
        .catch((readError) => {
          throw activityFailure('GetFunction', readError);
        });
      const current = fn.Configuration;
      const isOurs =
        Context.current().info.attempt > 1 &&
        (input.code.kind === 'image'
          ? fn.Code?.ImageUri === input.code.imageUri
          : expectedCodeSha256 !== undefined && current?.CodeSha256 === expectedCodeSha256);
      if (isOurs && current?.CodeSha256) return { codeSha256: current.CodeSha256, isRecovered: true };
      throw conflictFailure(
        'UpdateFunctionCode',
        {
          guard: 'functionRevisionId',
          expected: input.revisionId,
          found: current?.RevisionId,
          leftInPlace: 'Ramp changed nothing: the function and its alias are as the other change left them.',
        },
        { currentCodeSha256: current?.CodeSha256, lastModified: current?.LastModified },
      );
    }
  };
}
