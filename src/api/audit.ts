import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from './request-context.ts';

/**
 * One structured line per mutating call, refused ones included: who (token name), what, which release or
 * function, when, and how it ended. Never the token itself.
 */
export interface AuditEntry {
  at: string;
  /** The token's name; null when the caller presented no known token. */
  token: string | null;
  action: string;
  releaseId?: string;
  functionName?: string;
  status: number;
  outcome: 'accepted' | 'replayed' | 'refused' | 'failed';
  errorType?: string;
  requestId: string;
}

export function auditEntryOf(
  request: FastifyRequest,
  reply: FastifyReply,
  action: string,
  context: RequestContext,
): AuditEntry {
  const status = reply.statusCode;
  const outcome =
    status >= 500 ? 'failed' : status >= 400 ? 'refused' : context.isReplay ? 'replayed' : 'accepted';
  return {
    at: new Date().toISOString(),
    token: context.principal?.name ?? null,
    action,
    ...(context.releaseId ? { releaseId: context.releaseId } : {}),
    ...(context.functionName ? { functionName: context.functionName } : {}),
    status,
    outcome,
    ...(context.errorType ? { errorType: context.errorType } : {}),
    requestId: request.id,
  };
}
