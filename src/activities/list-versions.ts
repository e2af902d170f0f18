import { type LambdaClient, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import type { TargetRole } from '../domain/role-arn.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { roleSessionOf } from './role-session.ts';

/** A published version and the code it holds. */
export interface PublishedVersion {
  version: string;
  codeSha256: string;
}

export interface ListVersionsInput extends TargetRole {
  functionName: string;
  region: string;
}

/** Every published version of a function (never `$LATEST`), all pages. Throws what the SDK threw. */
export async function listPublishedVersions(
  lambda: LambdaClient,
  functionName: string,
): Promise<PublishedVersion[]> {
  const versions: PublishedVersion[] = [];
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

/**
 * The versions that exist before Ramp publishes, as an activity, so the workflow records them in its history
 * and passes them to every publishVersion attempt: recovery after a lost PublishVersion response then rests on
 * a fact written down before the publish, not on heartbeat details that a lost worker may never have sent.
 */
export function createListVersions(deps: ActivityDeps) {
  return async function listVersions(input: ListVersionsInput): Promise<PublishedVersion[]> {
    try {
      return await listPublishedVersions(
        deps.aws.lambda(input.region, roleSessionOf(input)),
        input.functionName,
      );
    } catch (error) {
      throw activityFailure('ListVersionsByFunction', error);
    }
  };
}
