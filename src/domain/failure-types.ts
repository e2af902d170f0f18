/**
 * Every failure Ramp can report, as one set of strings shared by the workflow (retry policies name them),
 * the API (HTTP status) and the CLI (exit code). Temporal matches `nonRetryableErrorTypes` against
 * `ApplicationFailure.type`, never against JS class names, so these strings are public API: never rename.
 */
export const FailureType = {
  /** Lambda answered 429 TooManyRequestsException; retried, honouring Retry-After. */
  Throttled: 'Throttled',
  /** 409 ResourceConflictException: an update is still in progress on the function. Retried. */
  UpdateInProgress: 'UpdateInProgress',
  /** 5xx, ServiceException, network errors, lost responses. Retried. */
  Transient: 'Transient',
  /**
   * Credentials that expired or could not be fetched for a moment (ExpiredTokenException, an STS or IMDS blip,
   * a signature that expired in flight). The provider refreshes them, so a retry fixes it. Retried.
   */
  CredentialsUnavailable: 'CredentialsUnavailable',
  /** A RevisionId or CodeSha256 guard failed: someone else changed the function or alias. Terminal. */
  Conflict: 'Conflict',
  /** Lambda refused the request as invalid (4xx other than the above). Terminal. */
  InvalidRequest: 'InvalidRequest',
  /** The function, version, alias or artifact does not exist. Terminal. */
  NotFound: 'NotFound',
  /** Not allowed (403, AccessDenied, KMS). Terminal. */
  AccessDenied: 'AccessDenied',
  /** UpdateFunctionCode ended with LastUpdateStatus Failed. Terminal. */
  UpdateFailed: 'UpdateFailed',
  /** The release spec is invalid; nothing was touched. Terminal. */
  InvalidSpec: 'InvalidSpec',
  /** A health check judged the candidate unhealthy. Terminal for the step; the release rolls back. */
  Unhealthy: 'Unhealthy',
  /** The alias was changed by someone else in a way Ramp will not overwrite. Terminal. */
  AliasChangedOutside: 'AliasChangedOutside',
  /** A person aborted the release (or cancelled its workflow); Ramp rolled back. */
  Aborted: 'Aborted',
  /** An approval step waited longer than the release's approval timeout; Ramp rolled back. */
  ApprovalTimedOut: 'ApprovalTimedOut',
  /** A control request (pause, approve, …) that the release's current state does not allow. */
  InvalidState: 'InvalidState',
  /** A release is already running for this function alias. */
  AlreadyRunning: 'AlreadyRunning',
  /** Rolling back met a state Ramp will not overwrite; a person must decide. */
  NeedsAttention: 'NeedsAttention',
  /**
   * An error that is neither AWS's answer nor the network's (a TypeError, a RangeError…): a bug in Ramp. Terminal,
   * so it fails fast and loudly instead of being retried as if AWS were slow.
   */
  Internal: 'Internal',
  /** Lambda's update stayed InProgress past the wait's deadline; carries Lambda's last status and reason. Terminal. */
  UpdateTimedOut: 'UpdateTimedOut',
  /** The preflight found problems (no such function or alias, missing alarms, …); nothing was written. */
  Rejected: 'Rejected',
  /** A pause held the release longer than its maximum; Ramp rolled back. */
  PauseTimedOut: 'PauseTimedOut',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failures that a retry can fix: Temporal's retry policy retries these and nothing else. */
export const retryableFailureTypes: readonly FailureType[] = [
  FailureType.Throttled,
  FailureType.UpdateInProgress,
  FailureType.Transient,
  FailureType.CredentialsUnavailable,
];

export const nonRetryableFailureTypes: FailureType[] = Object.values(FailureType).filter(
  (type) => !retryableFailureTypes.includes(type),
);

export function isRetryable(type: string): boolean {
  return (retryableFailureTypes as readonly string[]).includes(type);
}

/** Which guard failed, for Conflict failures. */
export type ConflictGuard = 'functionRevisionId' | 'codeSha256' | 'aliasRevisionId';

/** Structured details carried by a Conflict failure (ApplicationFailure details[0]). */
export interface ConflictDetails {
  guard: ConflictGuard;
  expected: string | undefined;
  found: string | undefined;
  /** Free text: what Ramp left in place. */
  leftInPlace?: string;
}
