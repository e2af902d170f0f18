/**
 * The one place that turns an AWS SDK error into a Ramp failure type. Classification reads the SDK's
 * `name`, `$fault` and `$metadata.httpStatusCode`; message text only where AWS gives no other signal
 * (PublishVersion's CodeSha256 mismatch, and ResourceConflictException's two meanings).
 */
import { FailureType } from '../domain/failure-types.ts';

export interface ClassifiedError {
  type: FailureType;
  message: string;
  /** The AWS error name (`PreconditionFailedException`, …), when it came from AWS. */
  awsErrorName: string | undefined;
  httpStatus: number | undefined;
  /** From the `Retry-After` header of a 429 (the SDK's `retryAfterSeconds`). */
  retryAfterMs: number | undefined;
  /** Lambda's `Reason` on a throttle (e.g. CallerRateLimitExceeded). */
  reason: string | undefined;
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  retryAfterSeconds?: unknown;
  Reason?: unknown;
}

// Lambda answers a PublishVersion whose CodeSha256 guard fails with a plain 400
// InvalidParameterValueException: "CodeSHA256 (<given>) is different from current CodeSHA256 in $LATEST (…)".
const codeShaMismatch = /CodeSHA256 \((.*)\) is different from current CodeSHA256 in \$LATEST \((.*)\)/i;
// ResourceConflictException means either "An update is in progress" (wait and retry) or
// "Alias already exists" / similar (someone else's state: terminal).
const updateInProgress = /update is in progress|in progress for resource/i;

const throttleNames = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
]);
const accessDeniedNames = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'KMSAccessDeniedException',
  'CredentialsProviderError',
]);
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);
const networkNames = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);

function parseRetryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyAwsError(error: unknown): ClassifiedError {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' ? shape.name : undefined;
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const status =
    typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const base = {
    message,
    awsErrorName: shape.$metadata ? name : undefined,
    httpStatus: status,
    retryAfterMs: undefined,
    reason: typeof shape.Reason === 'string' ? shape.Reason : undefined,
  };
  const as = (type: FailureType): ClassifiedError => ({ ...base, type });

  if ((name && throttleNames.has(name)) || status === 429) {
    return { ...as(FailureType.Throttled), retryAfterMs: parseRetryAfterMs(shape.retryAfterSeconds) };
  }
  if (name === 'PreconditionFailedException' || status === 412) return as(FailureType.Conflict);
  if (name === 'InvalidParameterValueException' && codeShaMismatch.test(message))
    return as(FailureType.Conflict);
  if (name === 'ResourceConflictException' || status === 409) {
    return as(updateInProgress.test(message) ? FailureType.UpdateInProgress : FailureType.Conflict);
  }
  if (name === 'ResourceNotFoundException' || status === 404) return as(FailureType.NotFound);
  if ((name && accessDeniedNames.has(name)) || status === 403 || status === 401)
    return as(FailureType.AccessDenied);
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return as(FailureType.Transient);
  if (status !== undefined && status >= 400) return as(FailureType.InvalidRequest);
  // No HTTP response at all: the connection dropped, timed out or never opened. The request may or may not
  // have landed, which is why every activity recognises its own earlier effect when it retries.
  if (
    (code && networkCodes.has(code)) ||
    (name && networkNames.has(name)) ||
    /socket hang up|ECONNRESET/i.test(message)
  ) {
    return as(FailureType.Transient);
  }
  return as(FailureType.Transient);
}

/** The two values in a CodeSha256 mismatch message: what we asked for, and what `$LATEST` holds. */
export function codeShaMismatchValues(message: string): { given: string; current: string } | undefined {
  const match = codeShaMismatch.exec(message);
  return match ? { given: match[1] ?? '', current: match[2] ?? '' } : undefined;
}
