import { type FunctionConfiguration, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, isRetryable } from '../domain/failure-types.ts';
import { activityFailure, classify } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';

export interface WaitForUpdateInput {
  functionName: string;
  region: string;
}

export interface SettledFunction {
  /** The RevisionId after the update completed: Lambda changes it again when the update settles. */
  revisionId: string;
  codeSha256: string;
}

/**
 * Polls GetFunction until LastUpdateStatus leaves InProgress, as the SDK's waitUntilFunctionUpdatedV2 does
 * (GetFunction has its own 100/s quota, so polling does not eat the 15/s shared by the other calls).
 * Heartbeats every poll: a crashed worker is noticed within the heartbeat timeout, and a cancelled
 * release stops polling.
 */
export function createWaitForUpdate(deps: ActivityDeps) {
  const intervalMs = deps.updatePollIntervalMs ?? 1_000;
  return async function waitForUpdate(input: WaitForUpdateInput): Promise<SettledFunction> {
    const context = Context.current();
    const lambda = deps.aws.lambda(input.region);
    for (;;) {
      let configuration: FunctionConfiguration | undefined;
      try {
        configuration = (await lambda.send(new GetFunctionCommand({ FunctionName: input.functionName })))
          .Configuration;
      } catch (error) {
        // Like the SDK's waiters, a throttled or failed poll is just "not yet": keep polling (after the
        // Retry-After, if any) instead of failing the activity and starting the wait over.
        const classified = classify(error);
        if (!isRetryable(classified.type)) throw activityFailure('GetFunction', error);
        context.heartbeat({ lastUpdateStatus: 'unknown', lastError: classified.type });
        await context.sleep(Math.max(intervalMs, classified.retryAfterMs ?? 0));
        continue;
      }
      const status = configuration?.LastUpdateStatus;
      context.heartbeat({ lastUpdateStatus: status, state: configuration?.State });
      if (status === 'Failed') {
        throw ApplicationFailure.create({
          type: FailureType.UpdateFailed,
          message: `Lambda could not apply the update: ${configuration?.LastUpdateStatusReason ?? 'no reason given'} (${configuration?.LastUpdateStatusReasonCode ?? 'no reason code'})`,
          nonRetryable: true,
          details: [
            {
              reason: configuration?.LastUpdateStatusReason,
              reasonCode: configuration?.LastUpdateStatusReasonCode,
              leftInPlace: 'Lambda keeps serving the previous code; the alias was not touched.',
            },
          ],
        });
      }
      if (status === 'Successful' && configuration?.State !== 'Pending') {
        return { revisionId: configuration?.RevisionId ?? '', codeSha256: configuration?.CodeSha256 ?? '' };
      }
      await context.sleep(intervalMs);
    }
  };
}
