import type { FastifyRequest } from 'fastify';
import type { Principal, Scope } from './auth.ts';
import type { ApiErrorType } from './error-status.ts';

/**
 * What one request has learned about itself on its way through the hooks and its handler: who called,
 * which release or function it touched, which error it answered with. The audit line and the error metrics
 * are written from this once the response is sent.
 */
export interface RequestContext {
  principal?: Principal;
  releaseId?: string;
  functionName?: string;
  errorType?: string;
  /** Set when a start matched an earlier request's Idempotency-Key. */
  isReplay?: boolean;
}

export type ValidationPart = 'body' | 'querystring' | 'headers' | 'params';

/** Per-route access rule, given as Fastify route `config`. Routes without one are public. */
export interface RouteAccess {
  scope?: Scope;
  /** Names a mutating action: the request gets an audit line. */
  action?: string;
  /** How the route answers input its schemas refuse (default: BadRequest, "invalid body", …). */
  invalidInput?: Partial<Record<ValidationPart, { type: ApiErrorType; message: string }>>;
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

export function contextOf(request: FastifyRequest): RequestContext {
  let context = contexts.get(request);
  if (!context) {
    context = {};
    contexts.set(request, context);
  }
  return context;
}

export function accessOf(request: FastifyRequest): RouteAccess {
  return (request.routeOptions.config ?? {}) as RouteAccess;
}
