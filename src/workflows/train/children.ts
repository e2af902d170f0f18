/**
 * A target runs as the release workflow itself, a child of the train, under the very workflow ID a single
 * release of that alias would have (release-id.ts): the one-release-per-alias rule holds across trains
 * and single releases because Temporal refuses a second running workflow with that ID.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  type ChildWorkflowHandle,
  startChild,
} from '@temporalio/workflow';
import { releaseIdOf, releaseWorkflowId } from '../../domain/release-id.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';
import { rampAlias, rampFunction, rampPhase, rampRegion, rampTrain } from '../../domain/search-attributes.ts';

export interface ChildRef {
  workflowId: string;
  runId: string;
  releaseId: string;
}

export type StartedChild =
  | {
      isStarted: true;
      ref: ChildRef;
      handle: ChildWorkflowHandle<(input: ReleaseInput) => Promise<ReleaseStatus>>;
    }
  | { isStarted: false; message: string };

export async function startRelease(input: ReleaseInput, trainId: string): Promise<StartedChild> {
  const workflowId = releaseWorkflowId(input);
  try {
    const handle = await startChild<(input: ReleaseInput) => Promise<ReleaseStatus>>('release', {
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      // A train that is closed (terminated, or cancelled in Temporal's UI) cancels its running releases,
      // and a cancelled release rolls back: never a split alias left behind.
      parentClosePolicy: 'REQUEST_CANCEL',
      typedSearchAttributes: [
        { key: rampFunction, value: input.functionShortName },
        { key: rampAlias, value: input.alias },
        { key: rampRegion, value: input.region },
        { key: rampPhase, value: 'starting' },
        { key: rampTrain, value: trainId },
      ],
      staticSummary: `${input.functionShortName}:${input.alias} (${input.region}), train ${trainId}`,
    });
    const runId = handle.firstExecutionRunId;
    return { isStarted: true, handle, ref: { workflowId, runId, releaseId: releaseIdOf(workflowId, runId) } };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return {
      isStarted: false,
      message: `a release is already running for ${input.functionShortName}:${input.alias} in ${input.region}; the train did not start another`,
    };
  }
}

/**
 * How a child release ended. A release that fails carries its whole status in the failure's details
 * (release workflow's `end`), so a rolled-back or conflicted target has its outcome and its reason.
 */
export function endedStatusOf(error: unknown): { status: ReleaseStatus | undefined; message: string } {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
  const details =
    cause instanceof ApplicationFailure ? (cause.details?.[0] as ReleaseStatus | undefined) : undefined;
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return { status: details?.outcome ? details : undefined, message };
}
