import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { HookSpec } from '../domain/health-spec.ts';
import type { HealthVerdict } from '../domain/health-verdict.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { type HookPayload, hookName, runHook } from '../health/hooks.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { roleSessionOf } from './role-session.ts';

export interface HookInput extends TargetRole {
  hook: HookSpec;
  payload: HookPayload;
  timeoutMs: number;
}

/**
 * Runs a validation hook (a Lambda function or an HTTP endpoint); its verdict carries the hook's own message.
 * The call is aborted at the hook's timeout, and the workflow gives this activity a start-to-close longer than
 * that (src/domain/hook-timeouts.ts), so one attempt's call has always ended before Temporal starts the next:
 * a hook is never run twice at once. It heartbeats while the hook runs, so a lost worker is noticed within
 * the heartbeat timeout, and a cancelled release aborts the call.
 */
export function createRunValidationHook(deps: ActivityDeps) {
  return async function runValidationHook(input: HookInput): Promise<HealthVerdict> {
    const context = Context.current();
    const target = hookName(input.hook);
    const startedAt = Date.now();
    // Temporal throttles heartbeats itself; a third of the timeout keeps one in flight well before it expires.
    const heartbeatTimeoutMs = context.info.heartbeatTimeoutMs || 15_000;
    const beat = () => context.heartbeat({ hook: target, elapsedMs: Date.now() - startedAt });
    beat();
    const heartbeats = setInterval(beat, Math.max(50, Math.floor(heartbeatTimeoutMs / 3)));
    try {
      return await runHook(input.hook, input.payload, {
        lambda: deps.aws.lambda(input.payload.region, roleSessionOf(input)),
        timeoutMs: input.timeoutMs,
        signal: context.cancellationSignal,
      });
    } catch (error) {
      if (context.cancellationSignal.aborted) {
        throw new CancelledFailure(
          `validation hook ${target} cancelled`,
          undefined,
          error instanceof Error ? error : undefined,
        );
      }
      // A hook that cannot be reached or did not answer in time is retried (it may be deploying too); a refused
      // call is its verdict.
      throw activityFailure(`validation hook ${target}`, error);
    } finally {
      clearInterval(heartbeats);
    }
  };
}
