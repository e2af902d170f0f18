/**
 * The one place that turns an AWS SDK error into a Ramp failure type. Classification reads the SDK's
 * `name`, `$fault` and `$metadata.httpStatusCode`; message text only where AWS gives no other signal
 * (PublishVersion's CodeSha256 mismatch, and ResourceConflictException's two meanings).
 *
 * What is retried: AWS's throttles, 5xx, a network failure (no response at all) and credentials that expired or
 * could not be fetched for a moment. What is not: AWS's refusals (4xx), and anything that is neither AWS's
 * answer nor the network's, which can only be a bug in Ramp (Internal), so it fails fast and says so.
 */
import { FailureType } from '../domain/failure-types.ts';
import { RoleAssumptionError } from './assume-role.ts';

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
  cause?: unknown;
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
  'SlowDown', // S3's 503 throttle
]);
const accessDeniedNames = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
]);
// Credentials that expired, or could not be fetched this moment: the SDK's provider chain refreshes them on the
// next call, so a retry fixes it. ExpiredTokenException arrives as a 403, so this is checked before AccessDenied.
// CredentialsProviderError / TokenProviderError come from the provider chain itself (no HTTP response);
// IDPCommunicationError is STS failing to reach the identity provider; RequestExpired and
// RequestTimeTooSkewed are a signature that aged in flight or a clock the SDK corrects on its next attempt.
const credentialBlipNames = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'RequestTimeTooSkewed',
  'IDPCommunicationError',
  'CredentialsProviderError',
  'TokenProviderError',
]);
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  // Unreachable hosts and undici's own timeouts (fetch wraps them in a TypeError's cause).
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const networkNames = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);

/** The `code` of an error or of its cause: `fetch` wraps the socket's ECONNREFUSED in a TypeError. */
function networkCodeOf(shape: SdkErrorShape & { cause?: unknown }): string | undefined {
  for (let current: unknown = shape, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkCodes.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function parseRetryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyAwsError(error: unknown): ClassifiedError {
  // A cross-account release's role could not be assumed: STS's answer decides the type (AccessDenied is
  // terminal, a throttle or a network failure is retried), and the message names the role.
  if (error instanceof RoleAssumptionError) {
    const cause = classifyAwsError(error.cause);
    const hint =
      cause.type === FailureType.AccessDenied
        ? ". Check that the role exists, that its trust policy lets the worker's principal assume it" +
          (error.hasExternalId ? ' with this ExternalId' : ' (and whether it demands an ExternalId)') +
          ', and that the worker may call sts:AssumeRole on it (docs/iam/README.md)'
        : '';
    return { ...cause, message: `${error.message}${hint}` };
  }
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' ? shape.name : undefined;
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const status =
    typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
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
  if (name && credentialBlipNames.has(name)) return as(FailureType.CredentialsUnavailable);
  if ((name && accessDeniedNames.has(name)) || status === 403 || status === 401)
    return as(FailureType.AccessDenied);
  if (shape.$fault === 'server' || (status !== undefined && status >= 500)) return as(FailureType.Transient);
  if (status !== undefined && status >= 400) return as(FailureType.InvalidRequest);
  // No HTTP response at all: the connection dropped, timed out or never opened. The request may or may not
  // have landed, which is why every activity recognises its own earlier effect when it retries.
  if (networkCodeOf(shape) || (name && networkNames.has(name))) {
    return as(FailureType.Transient);
  }
  // Any other AWS answer (a modeled error with no status we know) is AWS's to judge, and any other Node system
  // error (EMFILE, EIO: it names the syscall) is the machine's: retry both.
  if (shape.$metadata || shape.$fault || typeof (shape as { syscall?: unknown }).syscall === 'string')
    return as(FailureType.Transient);
  // Neither AWS nor the network: a TypeError, a RangeError, an Error thrown by Ramp's own code. Retrying a bug
  // for the activity's whole deadline would only hide it, so it fails now and says what it is.
  return {
    ...as(FailureType.Internal),
    message: `a bug in Ramp, not an AWS or network error (please report it): ${name ?? 'Error'}: ${message}`,
  };
}

/**
 * A webhook receiver's answer (release notifications). Retried: 5xx, 408 (the receiver timed out reading us)
 * and 429 (throttled, honouring Retry-After). Any other 4xx, or a redirect (not followed), is the receiver
 * refusing this event for good (a revoked Slack webhook answers 404 or 410): retrying it for an hour would
 * change nothing.
 * A request that got no answer (refused, reset, timed out) is classified by classifyAwsError as Transient.
 */
export function classifyWebhookStatus(httpStatus: number, retryAfter: string | null = null): ClassifiedError {
  const base = {
    message: `the receiver answered HTTP ${httpStatus}`,
    awsErrorName: undefined,
    httpStatus,
    retryAfterMs: undefined,
    reason: undefined,
  };
  if (httpStatus === 429)
    return { ...base, type: FailureType.Throttled, retryAfterMs: parseRetryAfterMs(retryAfter) };
  if (httpStatus >= 500 || httpStatus === 408) return { ...base, type: FailureType.Transient };
  return { ...base, type: FailureType.InvalidRequest };
}

/** The two values in a CodeSha256 mismatch message: what we asked for, and what `$LATEST` holds. */
export function codeShaMismatchValues(message: string): { given: string; current: string } | undefined {
  const match = codeShaMismatch.exec(message);
  return match ? { given: match[1] ?? '', current: match[2] ?? '' } : undefined;
}
