import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { FastifyReply } from 'fastify';
import { FailureType } from '../domain/failure-types.ts';
import type { SpecProblem } from '../domain/spec.ts';
import { ReleaseClientError } from '../releases/release-errors.ts';
import { contextOf } from './request-context.ts';

/** Every error the API answers with, one JSON shape: `{ "error": { type, message, problems? } }`. */
export interface ApiErrorBody {
  error: { type: string; message: string; problems?: SpecProblem[]; [key: string]: unknown };
}

/** Error types to HTTP statuses, in one place. Anything unlisted is a 500. */
const statusByType: Record<string, number> = {
  [FailureType.InvalidSpec]: 400,
  [FailureType.InvalidRequest]: 400,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  ReleaseNotFound: 404,
  [FailureType.NotFound]: 404,
  [FailureType.AlreadyRunning]: 409,
  [FailureType.InvalidState]: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  [FailureType.Transient]: 503,
  [FailureType.Throttled]: 503,
  Unavailable: 503,
  Internal: 500,
};

export function statusOf(type: string): number {
  return statusByType[type] ?? 500;
}

export function sendError(
  reply: FastifyReply,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
) {
  contextOf(reply.request).errorType = type;
  const body: ApiErrorBody = { error: { type, message, ...extra } };
  return reply.code(statusOf(type)).type('application/json').send(body);
}

// gRPC status codes Temporal's frontend answers with (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
const grpcInvalidArgument = 3;
const grpcDeadlineExceeded = 4;
const grpcResourceExhausted = 8;
const grpcUnavailable = 14;

function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError) return grpcCodeOf(error.cause);
  return undefined;
}

/** Classifies an error a handler did not expect, so it still gets the right status and a safe message. */
export function describeUnexpected(error: unknown): { type: string; message: string; details?: object } {
  if (error instanceof ReleaseClientError) {
    return { type: error.type, message: error.message, details: error.details };
  }
  const code = grpcCodeOf(error);
  if (code === grpcInvalidArgument) return { type: 'BadRequest', message: 'Temporal refused the request' };
  if (code === grpcUnavailable || code === grpcDeadlineExceeded || code === grpcResourceExhausted) {
    return { type: 'Unavailable', message: 'Temporal is not reachable or overloaded; retry later' };
  }
  // Messages of unexpected errors can hold internals; the log has them, the caller gets a plain line.
  return { type: 'Internal', message: 'internal error; the server log has the details' };
}
