/**
 * How the release workflow carries a failure from where it happens to where the release ends: as a
 * ReleaseStop holding the failure type, message and details the status will show.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../../domain/failure-types.ts';

export interface Failure {
  type: string;
  message: string;
  details: Record<string, unknown> | undefined;
  cause: Error | undefined;
}

/** An activity's failure (or anything else thrown) as the type and message the status shows. */
export function failureOf(error: unknown): Failure {
  if (error instanceof ReleaseStop) return error.failure;
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return {
      type: cause.type ?? FailureType.Transient,
      message: cause.message,
      details: (cause.details?.[0] as Record<string, unknown> | undefined) ?? undefined,
      cause: error instanceof Error ? error : undefined,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return {
    type: FailureType.Transient,
    message: `gave up after retries: ${message}`,
    details: undefined,
    cause: error instanceof Error ? error : undefined,
  };
}

/** A failure that ends the release; carries what the status should say. */
export class ReleaseStop extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Ends the release with a failure of Ramp's own (not an activity's). */
export function stop(type: FailureType, message: string, details?: Record<string, unknown>): ReleaseStop {
  return new ReleaseStop({ type, message, details, cause: undefined });
}
