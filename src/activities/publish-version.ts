import { GetFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { codeShaMismatchValues } from '../aws/classify-error.ts';
import { FailureType } from '../domain/failure-types.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { activityFailure, classify, conflictFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { listPublishedVersions, type PublishedVersion } from './list-versions.ts';
import { roleSessionOf } from './role-session.ts';

export interface PublishInput extends TargetRole {
  functionName: string;
  region: string;
  /** The CodeSha256 UpdateFunctionCode returned: only the code Ramp uploaded is ever published. */
  codeSha256: string;
  /** The RevisionId read after the update settled. */
  revisionId: string;
  description?: string;
  /**
   * The versions before the first attempt, from the listVersions activity (so they are in the workflow's
   * history). Absent in releases started before it existed: the activity then lists them itself and keeps
   * them in heartbeat details.
   */
  versionsBefore?: PublishedVersion[];
}

export interface PublishResult {
  version: string;
  /** Lambda returned a version that already existed (nothing changed since it was published). */
  isExisting: boolean;
  /** This attempt found its own earlier publish, whose response was lost. */
  isRecovered: boolean;
}

interface PublishProgress {
  versionsBefore: PublishedVersion[];
}

export function createPublishVersion(deps: ActivityDeps) {
  return async function publishVersion(input: PublishInput): Promise<PublishResult> {
    const context = Context.current();
    const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
    // The versions that existed before the first attempt, kept in heartbeat details across retries: they
    // tell "Lambda returned an existing version" apart from a new one, and let a retry recognise its own
    // earlier publish (PublishVersion rotates $LATEST's RevisionId, so a retry after a lost response
    // fails its own guard).
    const previous = context.info.heartbeatDetails as PublishProgress | undefined;
    let versionsBefore: PublishedVersion[];
    try {
      versionsBefore =
        input.versionsBefore ??
        previous?.versionsBefore ??
        (await listPublishedVersions(lambda, input.functionName));
    } catch (error) {
      throw activityFailure('ListVersionsByFunction', error);
    }
    context.heartbeat({ versionsBefore } satisfies PublishProgress);
    const existed = new Set(versionsBefore.map((v) => v.version));

    try {
      const response = await lambda.send(
        new PublishVersionCommand({
          FunctionName: input.functionName,
          CodeSha256: input.codeSha256,
          RevisionId: input.revisionId,
          ...(input.description ? { Description: input.description } : {}),
        }),
      );
      const version = response.Version ?? '';
      return { version, isExisting: existed.has(version), isRecovered: false };
    } catch (error) {
      const classified = classify(error);
      if (classified.type !== FailureType.Conflict) throw activityFailure('PublishVersion', error);
      if (context.info.attempt > 1) {
        // Never guess: a throttled or failed listing is not "no versions" (that would turn Ramp's own earlier
        // publish into a conflict). It fails this attempt as what it is, and the retry looks again.
        let versionsNow: PublishedVersion[];
        try {
          versionsNow = await listPublishedVersions(lambda, input.functionName);
        } catch (listError) {
          throw activityFailure('ListVersionsByFunction', listError);
        }
        const ours = versionsNow
          .filter((v) => !existed.has(v.version) && v.codeSha256 === input.codeSha256)
          .at(-1);
        if (ours) return { version: ours.version, isExisting: false, isRecovered: true };
      }
      const mismatch = codeShaMismatchValues(classified.message);
      const leftInPlace =
        "Ramp published nothing and did not touch the alias; $LATEST holds someone else's change.";
      if (mismatch) {
        throw conflictFailure('PublishVersion', {
          guard: 'codeSha256',
          expected: input.codeSha256,
          found: mismatch.current,
          leftInPlace,
        });
      }
      const current = await lambda
        .send(new GetFunctionCommand({ FunctionName: input.functionName }))
        .then((fn) => fn.Configuration?.RevisionId)
        .catch(() => undefined);
      throw conflictFailure('PublishVersion', {
        guard: 'functionRevisionId',
        expected: input.revisionId,
        found: current,
        leftInPlace,
      });
    }
  };
}
