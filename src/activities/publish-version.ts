import {
  GetFunctionCommand,
  type LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { codeShaMismatchValues } from '../aws/classify-error.ts';
import { FailureType } from '../domain/failure-types.ts';
import { activityFailure, classify, conflictFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';

export interface PublishInput {
  functionName: string;
  region: string;
  /** The CodeSha256 UpdateFunctionCode returned: only the code Ramp uploaded is ever published. */
  codeSha256: string;
  /** The RevisionId read after the update settled. */
  revisionId: string;
  description?: string;
}

export interface PublishResult {
  version: string;
  /** Lambda returned a version that already existed (nothing changed since it was published). */
  isExisting: boolean;
  /** This attempt found its own earlier publish, whose response was lost. */
  isRecovered: boolean;
}

interface PublishProgress {
  versionsBefore: { version: string; codeSha256: string }[];
}

async function listVersions(
  lambda: LambdaClient,
  functionName: string,
): Promise<{ version: string; codeSha256: string }[]> {
  const versions: { version: string; codeSha256: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListVersionsByFunctionCommand({
        FunctionName: functionName,
        MaxItems: 50,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const v of page.Versions ?? []) {
      if (v.Version && v.Version !== '$LATEST')
        versions.push({ version: v.Version, codeSha256: v.CodeSha256 ?? '' });
    }
    marker = page.NextMarker;
  } while (marker);
  return versions;
}

export function createPublishVersion(deps: ActivityDeps) {
  return async function publishVersion(input: PublishInput): Promise<PublishResult> {
    const context = Context.current();
    const lambda = deps.aws.lambda(input.region);
    // The versions that existed before the first attempt, kept in heartbeat details across retries: they
    // tell "Lambda returned an existing version" apart from a new one, and let a retry recognise its own
    // earlier publish (PublishVersion rotates $LATEST's RevisionId, so a retry after a lost response
    // fails its own guard).
    const previous = context.info.heartbeatDetails as PublishProgress | undefined;
    let versionsBefore: PublishProgress['versionsBefore'];
    try {
      versionsBefore = previous?.versionsBefore ?? (await listVersions(lambda, input.functionName));
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
        const ours = (await listVersions(lambda, input.functionName).catch(() => []))
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
