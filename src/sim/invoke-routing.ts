import type { Behaviour } from './behaviour.ts';
import { healthyBehaviour } from './behaviour.ts';
import { functionArn, resolveFunctionName } from './function-names.ts';
import type { Context, FunctionRegistry } from './function-registry.ts';
import type { FunctionRecord } from './lambda-state.ts';
import { qualifierOf, resolveQualifier } from './qualifiers.ts';
import { functionNotFound, functionPending } from './sim-error.ts';

/** Lambda's data plane: which version runs an invocation, and how that version behaves. */
export interface RoutedInvocation {
  fn: FunctionRecord;
  executedVersion: string;
  behaviour: Behaviour;
  /** The alias the invocation went through, if any: only then do metrics carry ExecutedVersion. */
  viaAlias: string | undefined;
}

/** Routes by the alias's weights: one roll of `random` picks the additional version or the alias's own. */
export function routeInvocation(
  registry: FunctionRegistry,
  context: Context,
  raw: string,
  qualifierParam: string | null,
  random: () => number,
): RoutedInvocation {
  const requested = resolveFunctionName(raw, { ...context, isStrict: false });
  if (!registry.has(context.region, requested.name)) {
    // Invoke names what it would have run: an unqualified call on a missing function is `…:$LATEST`.
    throw functionNotFound(
      functionArn(context, requested.name, requested.qualifier ?? qualifierParam ?? '$LATEST'),
    );
  }
  const { fn, ref } = registry.find(context, raw);
  const qualifier = qualifierOf(ref, qualifierParam || undefined);
  if (fn.latest.state === 'Pending') throw functionPending();
  const { version, alias } = resolveQualifier(context, fn, qualifier);
  if (alias) {
    let executed = alias.functionVersion;
    let roll = random();
    for (const [extra, weight] of Object.entries(alias.weights)) {
      if (roll < weight) {
        executed = extra;
        break;
      }
      roll -= weight;
    }
    const record = fn.versions.find((v) => v.version === executed);
    return {
      fn,
      executedVersion: executed,
      behaviour: (record?.code ?? fn.latest.servingCode).behaviour,
      viaAlias: alias.name,
    };
  }
  if (version)
    return { fn, executedVersion: version.version, behaviour: version.code.behaviour, viaAlias: undefined };
  return {
    fn,
    executedVersion: '$LATEST',
    behaviour: fn.latest.servingCode.behaviour ?? healthyBehaviour,
    viaAlias: undefined,
  };
}
