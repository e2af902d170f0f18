import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/** gRPC status codes Temporal's frontend answers with (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  FailedPrecondition: 9,
  ResourceExhausted: 8,
  Unavailable: 14,
} as const;

/** The gRPC status code behind a Temporal client error, if there is one. */
export function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError) return grpcCodeOf(error.cause);
  return undefined;
}
