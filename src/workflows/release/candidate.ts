/**
 * Before any traffic moves: the read-only preflight, then the candidate version — the code updated under
 * the function's RevisionId, the update waited out, and the version published under the uploaded
 * CodeSha256 and the settled RevisionId. Long steps give way to an abort within about a second.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { FailureType } from '../../domain/failure-types.ts';
import { describeAlias, type FunctionTarget } from '../../domain/lambda-state.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleasePhase } from '../../domain/release-status.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import type { AliasWriter } from './alias-writer.ts';
import type { ReleaseControls } from './controls.ts';
import { stop } from './failures.ts';
import type { Note } from './health-watch.ts';
import { controlPlane, onQueue, polling } from './options.ts';

const defaultLambda = proxyActivities<ReleaseActivities>(controlPlane);
/** The control-plane activities, on the release's budgeted Lambda queue once it has one. */
const lambdaOf = ({ lambdaQueue }: CandidateSteps) =>
  lambdaQueue ? proxyActivities<ReleaseActivities>(onQueue(controlPlane, lambdaQueue)) : defaultLambda;
const defaultUpdateTimeoutMs = 15 * 60_000;

export interface CandidateSteps {
  input: ReleaseInput;
  controls: ReleaseControls;
  note: Note;
  enter: (phase: ReleasePhase) => void;
  /** Holds while the release is paused (between steps, never inside one). */
  holdWhilePaused: () => Promise<void>;
  /** Told the CodeSha256 Lambda reported for the upload, as soon as it is known. */
  onCodeUpdated?: (codeSha256: string) => void;
  /** The region's budgeted Lambda queue (docs/scale.md); unset: the workflow's own queue. */
  lambdaQueue?: string;
}

// The role fields only when the release has a role: the inputs of a release without one are as before.
const refOf = (input: ReleaseInput) => ({
  functionName: input.functionName,
  region: input.region,
  ...roleFieldsOf(input),
});

/**
 * Read-only checks before any write; every problem is listed and nothing is changed. Returns the function and
 * its alias as the checks read them (absent from a worker older than ramp-lean-start-v7).
 */
export async function preflight(steps: CandidateSteps): Promise<FunctionTarget | undefined> {
  const { input, note } = steps;
  const checked = await lambdaOf(steps).preflight({
    ...refOf(input),
    alias: input.alias,
    code: input.code,
    createAlias: input.createAlias === true,
    ...(input.health ? { health: input.health } : {}),
  });
  for (const warning of checked.warnings) note('warning', warning);
  if (checked.problems.length > 0) {
    throw stop(
      FailureType.Rejected,
      `preflight: ${checked.problems.map((problem) => problem.message).join('; ')}. Nothing was changed.`,
      { problems: checked.problems },
    );
  }
  return checked.target;
}

/**
 * The function and the alias the release starts from: as the preflight read them, or read now. Refuses an
 * alias that is already split: another deployment is shifting it.
 */
export async function readStartingPoint(steps: CandidateSteps, writer: AliasWriter, read?: FunctionTarget) {
  const { input } = steps;
  const target = read ?? (await lambdaOf(steps).readTarget({ ...refOf(input), alias: input.alias }));
  writer.adopt(target.alias);
  if (target.alias && Object.values(target.alias.additionalVersionWeights).some((w) => w > 0)) {
    throw stop(
      FailureType.Conflict,
      `the alias is already shifting traffic (${describeAlias(target.alias)}): another deployment is in progress; Ramp touched nothing`,
      { guard: 'aliasRevisionId', aliasNow: target.alias },
    );
  }
  return target;
}

/**
 * Updates the code, waits for Lambda to settle it, and publishes it: the candidate version. A release of
 * an existing version (spec `version`) skips all three.
 */
export async function publishCandidate(
  steps: CandidateSteps,
  functionRevisionId: string,
): Promise<{ version: string; isExisting: boolean }> {
  const { input, controls, note, enter } = steps;
  const ref = refOf(input);
  const lambda = lambdaOf(steps);
  if (input.code.kind === 'version') {
    // An existing version (checked by the preflight): nothing to update or publish.
    note('version_chosen', `releasing existing version ${input.code.version}; no code update, no publish`, {
      version: input.code.version,
    });
    return { version: input.code.version, isExisting: true };
  }
  await steps.holdWhilePaused();
  controls.stopIfAborted();
  enter('updating_code');
  const update = await lambda.updateFunctionCode({
    ...ref,
    code: input.code,
    revisionId: input.expectedRevisionId ?? functionRevisionId,
  });
  steps.onCodeUpdated?.(update.codeSha256);
  note(
    'code_updated',
    `UpdateFunctionCode accepted (CodeSha256 ${update.codeSha256})${update.isRecovered ? '; found in place after a lost response' : ''}`,
  );
  const timeoutMs = input.updateTimeoutMs ?? defaultUpdateTimeoutMs;
  const { waitForUpdate } = proxyActivities<ReleaseActivities>(polling(timeoutMs));
  const settled = await controls.abortable(() => waitForUpdate({ ...ref, timeoutMs }));
  note('update_settled', 'LastUpdateStatus is Successful');

  await steps.holdWhilePaused();
  controls.stopIfAborted();
  enter('publishing');
  // Recorded in the history before the publish, so a retry after a lost answer tells its own new
  // version from the ones that existed (invariant I4) without guessing.
  const versionsBefore = await controls.abortable(() => lambda.listVersions(ref));
  const published = await controls.abortable(() =>
    lambda.publishVersion({
      ...ref,
      codeSha256: update.codeSha256,
      revisionId: settled.revisionId,
      versionsBefore,
      ...(input.description ? { description: input.description } : {}),
    }),
  );
  note(
    'version_published',
    published.isExisting
      ? `Lambda returned the existing version ${published.version}: nothing changed since it was published`
      : `published version ${published.version}`,
    { version: published.version, isExisting: published.isExisting },
  );
  return published;
}
