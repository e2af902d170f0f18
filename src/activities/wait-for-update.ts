import { type FunctionConfiguration, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, isRetryable } from '../domain/failure-types.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { activityFailure, classify, countThrottle } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { roleSessionOf } from './role-session.ts';

export interface WaitForUpdateInput extends TargetRole {
  functionName: string;
  region: string;
  /**
   * How long the update may stay InProgress, measured from this activity's first attempt; past it the wait
   * fails with UpdateTimedOut. Default 15 minutes (absent in histories recorded before it existed).
   */
  timeoutMs?: number;
}

export const defaultUpdateTimeoutMs = 15 * 60 * 1000;

/** Carried across attempts in heartbeat details, so a retried wait keeps the first attempt's deadline. */
interface WaitProgress {
  startedAtMs?: number;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
  lastError?: string;
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
    const lambda = deps.aws.lambda(input.region, roleSessionOf(input));
    const previous = context.info.heartbeatDetails as WaitProgress | undefined;
    const startedAtMs = previous?.startedAtMs ?? Date.now();
    const timeoutMs = input.timeoutMs ?? defaultUpdateTimeoutMs;
    let last: WaitProgress = { startedAtMs, lastUpdateStatus: previous?.lastUpdateStatus ?? 'unknown' };
    if (previous?.lastUpdateStatusReason) last.lastUpdateStatusReason = previous.lastUpdateStatusReason;
    for (;;) {
      if (Date.now() - startedAtMs > timeoutMs) throw updateTimedOut(input, timeoutMs, last);
      let configuration: FunctionConfiguration | undefined;
      try {
        configuration = (await lambda.send(new GetFunctionCommand({ FunctionName: input.functionName })))
          .Configuration;
      } catch (error) {
        // Like the SDK's waiters, a throttled or failed poll is just "not yet": keep polling (after the
        // Retry-After, if any) instead of failing the activity and starting the wait over.
        const classified = classify(error);
        if (!isRetryable(classified.type)) throw activityFailure('GetFunction', error);
        countThrottle('GetFunction', classified);
        last = { ...last, lastError: `${classified.awsErrorName ?? classified.type}: ${classified.message}` };
        context.heartbeat(last);
        await context.sleep(Math.max(intervalMs, classified.retryAfterMs ?? 0));
        continue;
      }
      const status = configuration?.LastUpdateStatus;
      last = { startedAtMs, lastUpdateStatus: status ?? 'unknown' };
      if (configuration?.LastUpdateStatusReason)
        last.lastUpdateStatusReason = configuration.LastUpdateStatusReason;
      context.heartbeat({ ...last, state: configuration?.State });
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

function updateTimedOut(
  input: WaitForUpdateInput,
  timeoutMs: number,
  last: WaitProgress,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.UpdateTimedOut,
    message:
      `Lambda's update of ${input.functionName} did not complete within ${Math.round(timeoutMs / 1000)} s: ` +
      `LastUpdateStatus ${last.lastUpdateStatus ?? 'unknown'}` +
      (last.lastUpdateStatusReason ? `, LastUpdateStatusReason "${last.lastUpdateStatusReason}"` : '') +
      (last.lastError ? ` (last poll failed: ${last.lastError})` : ''),
    nonRetryable: true,
    details: [
      {
        timeoutMs,
        lastUpdateStatus: last.lastUpdateStatus,
        lastUpdateStatusReason: last.lastUpdateStatusReason,
        leftInPlace:
          'The update may still complete: $LATEST then holds the new code, but no version was published and the alias was not touched.',
      },
    ],
  });
}
