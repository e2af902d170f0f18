import type { SimCall } from '../../src/sim/index.ts';

/** The Lambda operations that share the 15/s control-plane quota: every one the simulator routes but GetFunction and Invoke. */
const budgetedOperations = new Set([
  'CreateFunction',
  'DeleteFunction',
  'GetFunctionConfiguration',
  'UpdateFunctionConfiguration',
  'UpdateFunctionCode',
  'PublishVersion',
  'ListVersionsByFunction',
  'CreateAlias',
  'ListAliases',
  'GetAlias',
  'UpdateAlias',
  'DeleteAlias',
]);

export function isBudgetedLambdaCall(call: SimCall): boolean {
  return budgetedOperations.has(call.operation);
}

/** The most calls in any 1-s window (sliding, by the simulator's arrival times), and when it began. */
export function busiestSecond(calls: readonly SimCall[]): { count: number; startsAt: number | undefined } {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  let best = { count: 0, startsAt: undefined as number | undefined };
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && (times[end] ?? 0) - (times[start] ?? 0) < 1000) end++;
    if (end - start > best.count) best = { count: end - start, startsAt: times[start] };
  }
  return best;
}
