/**
 * Turns whatever an activity met into an ApplicationFailure whose `type` is a Ramp failure type, so the
 * workflow's retry policies (which name those types) decide what is retried. Classification itself is
 * src/aws/classify-error.ts; this file only adds the Temporal shape and the throttling delay.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ArtifactCorruptError, ArtifactMissingError } from '../artifacts/artifact-store.ts';
import { type ClassifiedError, classifyAwsError } from '../aws/classify-error.ts';
import { type ConflictDetails, FailureType, isRetryable } from '../domain/failure-types.ts';
import { awsThrottles, lambdaApiErrors } from '../observability/metrics.ts';

const throttleBaseDelayMs = 500;
const throttleMaxDelayMs = 8_000;

/**
 * Exponential backoff with full jitter (so many releases throttled together do not retry in lockstep),
 * never sooner than Lambda's Retry-After.
 */
export function throttleDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random = Math.random,
): number {
  const ceiling = Math.min(throttleMaxDelayMs, throttleBaseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.max(retryAfterMs ?? 0, jittered);
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

export function classify(error: unknown): ClassifiedError {
  if (error instanceof ArtifactMissingError) {
    return { ...classifyAwsError(error), type: FailureType.NotFound };
  }
  if (error instanceof ArtifactCorruptError) {
    return { ...classifyAwsError(error), type: FailureType.InvalidRequest };
  }
  return classifyAwsError(error);
}

/**
 * Counts a throttled call in /metrics by operation (`UpdateAlias (shift to 10%)` counts as UpdateAlias).
 * With the Lambda budget on these should stay at 0; one that still happens is retried as usual.
 */
export function countThrottle(operation: string, classified: ClassifiedError): void {
  if (classified.type !== FailureType.Throttled) return;
  awsThrottles.inc({ operation: /^[A-Za-z]+/.exec(operation)?.[0] ?? operation });
}

export function activityFailure(
  operation: string,
  error: unknown,
  details?: Record<string, unknown>,
): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const classified = classify(error);
  lambdaApiErrors.inc({ type: classified.type, aws_error: classified.awsErrorName ?? 'none' });
  countThrottle(operation, classified);
  return classifiedFailure(operation, classified, details, error instanceof Error ? error : undefined);
}

/** The Temporal shape of a classified failure: its type decides the retry, a throttle its delay. */
export function classifiedFailure(
  operation: string,
  classified: ClassifiedError,
  details?: Record<string, unknown>,
  cause?: Error,
): ApplicationFailure {
  const what = classified.awsErrorName
    ? `${classified.awsErrorName}: ${classified.message}`
    : classified.message;
  return ApplicationFailure.create({
    type: classified.type,
    message: `${operation}: ${what}`,
    nonRetryable: !isRetryable(classified.type),
    details: [
      {
        operation,
        awsErrorName: classified.awsErrorName,
        httpStatus: classified.httpStatus,
        reason: classified.reason,
        ...details,
      },
    ],
    ...(classified.type === FailureType.Throttled
      ? { nextRetryDelay: throttleDelayMs(currentAttempt(), classified.retryAfterMs) }
      : {}),
    ...(cause ? { cause } : {}),
  });
}

/** A terminal conflict that says which guard failed, what Ramp expected and what it found. */
export function conflictFailure(
  operation: string,
  conflict: ConflictDetails,
  extra?: Record<string, unknown>,
): ApplicationFailure {
  const guardName = {
    functionRevisionId: "the function's RevisionId",
    codeSha256: "$LATEST's CodeSha256",
    aliasRevisionId: "the alias's RevisionId",
  }[conflict.guard];
  return ApplicationFailure.create({
    type: FailureType.Conflict,
    message:
      `${operation}: someone else changed the function or alias: ${guardName} was expected to be ` +
      `${conflict.expected ?? '(none)'} but is ${conflict.found ?? '(unknown)'}` +
      (conflict.leftInPlace ? `. ${conflict.leftInPlace}` : ''),
    nonRetryable: true,
    details: [{ operation, ...conflict, ...extra }],
  });
}
