import { FailureType } from '../domain/failure-types.ts';
import type { SpecProblem } from '../domain/spec.ts';
import { ReleaseClientError } from '../releases/release-errors.ts';
import { GrpcStatus, grpcCodeOf } from '../temporal/grpc-status.ts';
import { PayloadDecryptionError } from '../temporal/payload-codec.ts';

/** Every error type the API answers with: the release failure types it passes on, and its own. */
export const ApiErrorType = {
  InvalidSpec: FailureType.InvalidSpec,
  InvalidRequest: FailureType.InvalidRequest,
  BadRequest: 'BadRequest',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  ReleaseNotFound: 'ReleaseNotFound',
  NotFound: FailureType.NotFound,
  AlreadyRunning: FailureType.AlreadyRunning,
  InvalidState: FailureType.InvalidState,
  PayloadTooLarge: 'PayloadTooLarge',
  UnsupportedMediaType: 'UnsupportedMediaType',
  IdempotencyKeyReused: 'IdempotencyKeyReused',
  TooManyRequests: 'TooManyRequests',
  Transient: FailureType.Transient,
  Throttled: FailureType.Throttled,
  Unavailable: 'Unavailable',
  Internal: 'Internal',
} as const;
export type ApiErrorType = (typeof ApiErrorType)[keyof typeof ApiErrorType];

/** Error types to HTTP statuses, in one place. Anything unlisted is a 500. */
const statusByType: Record<ApiErrorType, number> = {
  InvalidSpec: 400,
  InvalidRequest: 400,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  ReleaseNotFound: 404,
  NotFound: 404,
  AlreadyRunning: 409,
  InvalidState: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  IdempotencyKeyReused: 422,
  TooManyRequests: 429,
  Transient: 503,
  Throttled: 503,
  Unavailable: 503,
  Internal: 500,
};

export function statusOf(type: string): number {
  return statusByType[type as ApiErrorType] ?? 500;
}

/** Every error the API answers with, one JSON shape: `{ "error": { type, message, problems? } }`. */
export interface ApiErrorBody {
  error: { type: string; message: string; problems?: SpecProblem[]; [key: string]: unknown };
}

/**
 * An answer the API chose to give: hooks and handlers throw it, and the one error handler (server.ts)
 * shapes it. `details` become fields of the error object (`runningReleaseId`, `problems`).
 */
export class ApiError extends Error {
  constructor(
    readonly type: ApiErrorType,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * A failed authentication as the API answers it, with the WWW-Authenticate challenge of RFC 6750 (an
 * `invalid_token` error when a token was sent but is not known).
 */
export function unauthenticated(
  failure: { type: ApiErrorType; message: string },
  authorization: string | undefined,
): ApiError {
  return new ApiError(
    failure.type,
    failure.message,
    {},
    {
      'WWW-Authenticate': authorization
        ? 'Bearer realm="ramp", error="invalid_token"'
        : 'Bearer realm="ramp"',
    },
  );
}

/** Classifies an error a handler did not expect, so it still gets the right status and a safe message. */
export function describeUnexpected(error: unknown): {
  type: string;
  message: string;
  details?: Record<string, unknown>;
} {
  if (error instanceof ApiError) return { type: error.type, message: error.message, details: error.details };
  if (error instanceof ReleaseClientError) {
    return { type: error.type, message: error.message, details: error.details };
  }
  // A payload sent to /codec/decode that this API's keys cannot open: the caller's input, not our fault.
  if (error instanceof PayloadDecryptionError)
    return { type: ApiErrorType.BadRequest, message: error.message };
  const code = grpcCodeOf(error);
  if (code === GrpcStatus.InvalidArgument)
    return { type: ApiErrorType.BadRequest, message: 'Temporal refused the request' };
  if (
    code === GrpcStatus.Unavailable ||
    code === GrpcStatus.DeadlineExceeded ||
    code === GrpcStatus.ResourceExhausted
  ) {
    return {
      type: ApiErrorType.Unavailable,
      message: 'Temporal is not reachable or overloaded; retry later',
    };
  }
  // Messages of unexpected errors can hold internals; the log has them, the caller gets a plain line.
  return { type: ApiErrorType.Internal, message: 'internal error; the server log has the details' };
}
