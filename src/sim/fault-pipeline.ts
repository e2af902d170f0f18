import type { FaultController, FaultRule } from './faults.ts';

/**
 * The faults that answer a call in the service's place, in the order a caller would meet them: added
 * latency first, then a throttle, then a 5xx, then a refusal (403). Each service words its own errors.
 */
export interface CallMatch {
  operation: string;
  functionName?: string | undefined;
  /** CloudWatch calls are faulted only by rules that name their operation. */
  isOperationRequired?: boolean;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function injectFaults(
  faults: FaultController,
  match: CallMatch,
  errors: { throttled(rule: FaultRule): Error; serviceError(): Error; accessDenied?(): Error },
): Promise<void> {
  for (const rule of faults.fire('latency', match)) await sleep(rule.latencyMs ?? 0);
  const [throttle] = faults.fire('throttle', match);
  if (throttle) throw errors.throttled(throttle);
  if (faults.fire('serviceError', match).length > 0) throw errors.serviceError();
  if (errors.accessDenied && faults.fire('accessDenied', match).length > 0) throw errors.accessDenied();
}

/** The call took effect, and its answer is to be lost: the caller sees a dropped connection. */
export function isResponseLost(faults: FaultController, match: CallMatch): boolean {
  return faults.fire('loseResponse', match).length > 0;
}
