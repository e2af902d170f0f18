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

/** A validation function answers `{ "status": "pass" | "fail", "message"? }`; a function error fails. */
async function invokeHook(
  lambda: LambdaClient,
  functionName: string,
  payload: HookPayload,
  timeoutMs: number,
) {
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
    { abortSignal: AbortSignal.timeout(timeoutMs) },
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

async function callHttpHook(url: string, payload: HookPayload, timeoutMs: number) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = (await response.text()).slice(0, 500);
  return response.ok
    ? { status: 'pass' as const, message: `hook ${url} passed (${response.status})` }
    : {
        status: 'fail' as const,
        message: `hook ${url} answered ${response.status}${text ? `: ${text}` : ''}`,
      };
}

export async function runHook(
  hook: HookSpec,
  payload: HookPayload,
  context: { lambda: LambdaClient; timeoutMs: number },
): Promise<HealthVerdict> {
  return 'lambda' in hook
    ? invokeHook(context.lambda, hook.lambda, payload, context.timeoutMs)
    : callHttpHook(hook.http, payload, context.timeoutMs);
}
