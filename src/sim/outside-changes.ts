import { createHash, randomUUID } from 'node:crypto';
import { healthyBehaviour } from './behaviour.ts';
import type { FaultRule } from './faults.ts';
import type { Context, FunctionRegistry } from './function-registry.ts';
import type { LambdaService } from './lambda-service.ts';

/**
 * Someone else (a console user, another pipeline) changes the function right before or after one of
 * Ramp's calls: its code, its configuration, or an alias. Each change rotates a RevisionId Ramp may hold.
 */
export function applyOutsideChange(
  deps: { registry: FunctionRegistry; lambda: LambdaService; clock: () => number },
  context: Context,
  rule: FaultRule,
): void {
  const fn = rule.functionName ? deps.registry.get(context.region, rule.functionName) : undefined;
  if (!fn) return;
  if (rule.change === 'alias') {
    const alias = rule.alias ? fn.aliases[rule.alias] : Object.values(fn.aliases)[0];
    if (!alias) return;
    deps.lambda.updateAlias(context, fn.name, alias.name, {
      RoutingConfig: { AdditionalVersionWeights: {} },
      Description: 'changed outside Ramp',
    });
    return;
  }
  // An update in progress refuses other updates; the outsider would have got a 409 too.
  if (fn.latest.lastUpdateStatus === 'InProgress' || fn.latest.state === 'Pending') return;
  if (rule.change === 'code') {
    const marker = randomUUID();
    deps.lambda.beginUpdate(fn, {
      code: {
        sha256: createHash('sha256').update(marker).digest('base64'),
        size: 512,
        behaviour: healthyBehaviour,
      },
    });
  } else {
    const at = new Date(deps.clock()).toISOString();
    deps.lambda.beginUpdate(fn, {
      config: { ...fn.latest.config, description: `changed outside Ramp ${at}` },
    });
  }
}
