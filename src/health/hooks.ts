import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { HookSpec } from '../domain/health-spec.ts';
import type { HealthVerdict } from '../domain/health-verdict.ts';

export interface HookPayload {
  releaseId: string;
  stage: 'beforeTraffic' | 'afterTraffic';
  functionName: string;
  alias: string;
  region: string;
  candidateVersion: string;
  stableVersion: string | null;
}

/**
 * A hook call that outlived its own timeout. Named like the platform's timeout (DOMException `TimeoutError`), so
 * the one classifier treats it as the network's failure: retryable, a fresh call in a fresh attempt.
 */
export class HookTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** A validation function answers `{ "status": "pass" | "fail", "message"? }`; a function error fails. */
async function invokeHook(
  lambda: LambdaClient,
  functionName: string,
  payload: HookPayload,
  signal: AbortSignal,
) {
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
    // Aborting closes the connection: the SDK stops waiting and the hook is never still being waited on when
    // the next attempt starts. (Lambda itself runs the function to its own Timeout; set it below the hook's.)
    { abortSignal: signal },
  );
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  if (response.FunctionError)
    return {
      status: 'fail' as const,
      message: `hook ${functionName} failed: ${text || response.FunctionError}`,
    };
  let body: { status?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // A hook that returns no JSON passes unless it errored: like CodeDeploy, success is the default.
  }
  const message = typeof body.message === 'string' ? body.message : '';
  return body.status === 'fail'
    ? { status: 'fail' as const, message: `hook ${functionName}: ${message || 'failed'}` }
    : { status: 'pass' as const, message: `hook ${functionName} passed${message ? `: ${message}` : ''}` };
}

/**
 * How messages name a hook: a Lambda hook by its function, an HTTP hook by its origin only. A hook's path and
 * query can hold a token, and these messages reach failure messages, which Temporal stores in plaintext even
 * with payload encryption on (docs/operations.md).
 */
export function hookName(hook: HookSpec): string {
  if ('lambda' in hook) return hook.lambda;
  try {
    return `${new URL(hook.http).origin}/…`;
  } catch {
    return 'an HTTP endpoint';
  }
}

async function callHttpHook(url: string, payload: HookPayload, signal: AbortSignal) {
  const name = hookName({ http: url });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal,
  });
  const text = (await response.text()).slice(0, 500);
  return response.ok
    ? { status: 'pass' as const, message: `hook ${name} passed (${response.status})` }
    : {
        status: 'fail' as const,
        message: `hook ${name} answered ${response.status}${text ? `: ${text}` : ''}`,
      };
}

/**
 * Runs one hook call, aborted at `timeoutMs` or when `signal` fires (the activity was cancelled), whichever comes
 * first, so a call never outlives the attempt that made it.
 */
export async function runHook(
  hook: HookSpec,
  payload: HookPayload,
  context: { lambda: LambdaClient; timeoutMs: number; signal?: AbortSignal },
): Promise<HealthVerdict> {
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = context.signal ? AbortSignal.any([timeout, context.signal]) : timeout;
  const target = hookName(hook);
  try {
    return 'lambda' in hook
      ? await invokeHook(context.lambda, hook.lambda, payload, signal)
      : await callHttpHook(hook.http, payload, signal);
  } catch (error) {
    if (timeout.aborted) {
      throw new HookTimeoutError(`hook ${target} did not answer within ${context.timeoutMs} ms`, {
        cause: error,
      });
    }
    throw error;
  }
}
