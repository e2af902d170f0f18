import type { FastifyReply } from 'fastify';
import { FailureType } from '../domain/failure-types.ts';
import type { SpecProblem } from '../domain/spec.ts';

/** Every error the API answers with, one JSON shape: `{ "error": { type, message, problems? } }`. */
export interface ApiErrorBody {
  error: { type: string; message: string; problems?: SpecProblem[]; [key: string]: unknown };
}

/** Failure types to HTTP statuses, in one place. */
const statusByType: Record<string, number> = {
  [FailureType.InvalidSpec]: 400,
  [FailureType.InvalidRequest]: 400,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  ReleaseNotFound: 404,
  NotFound: 404,
  [FailureType.AlreadyRunning]: 409,
  [FailureType.InvalidState]: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Unavailable: 503,
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
  const body: ApiErrorBody = { error: { type, message, ...extra } };
  return reply.code(statusOf(type)).type('application/json').send(body);
}
