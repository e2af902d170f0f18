/**
 * The Temporal timeouts of one validation-hook call, derived from the hook's own timeout. The hook call is
 * aborted at its own timeout, so the activity's start-to-close must outlast it: were it shorter, Temporal
 * would time the attempt out and start another while the first call still ran, and the hook's side effects
 * would repeat, two at once. The heartbeat timeout is short whatever the hook's length, so a lost worker is
 * noticed in seconds, not at the end of an hour-long hook.
 */

/** CodeDeploy's limit for a lifecycle hook (a validation function must report within one hour); Ramp's too. */
export const maxHookTimeoutMs = 60 * 60 * 1000;

/** Time for the activity to notice the abort and report after the hook call ended. */
export const hookActivityMarginMs = 30_000;

/** The runValidationHook activity heartbeats well within this while a hook runs. */
export const hookHeartbeatTimeoutMs = 20_000;

export interface HookActivityTimeouts {
  startToCloseMs: number;
  heartbeatTimeoutMs: number;
}

export function hookActivityTimeouts(hookTimeoutMs: number): HookActivityTimeouts {
  if (!Number.isFinite(hookTimeoutMs) || hookTimeoutMs <= 0 || hookTimeoutMs > maxHookTimeoutMs) {
    throw new RangeError(`a hook timeout must be between 1 ms and 1 h, not ${hookTimeoutMs} ms`);
  }
  return { startToCloseMs: hookTimeoutMs + hookActivityMarginMs, heartbeatTimeoutMs: hookHeartbeatTimeoutMs };
}
