import type { HookSpec } from '../domain/health-spec.ts';
import type { HealthVerdict } from '../domain/health-verdict.ts';
import { type HookPayload, runHook } from '../health/hooks.ts';
import { activityFailure } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';

export interface HookInput {
  hook: HookSpec;
  payload: HookPayload;
  timeoutMs: number;
}

/** Runs a validation hook (a Lambda function or an HTTP endpoint); its verdict carries the hook's own message. */
export function createRunValidationHook(deps: ActivityDeps) {
  return async function runValidationHook(input: HookInput): Promise<HealthVerdict> {
    try {
      return await runHook(input.hook, input.payload, {
        lambda: deps.aws.lambda(input.payload.region),
        timeoutMs: input.timeoutMs,
      });
    } catch (error) {
      // A hook that cannot be reached is retried (it may be deploying too); a refused call is its verdict.
      throw activityFailure(
        `validation hook ${'lambda' in input.hook ? input.hook.lambda : input.hook.http}`,
        error,
      );
    }
  };
}
