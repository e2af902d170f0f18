import { functionArn, type ResolvedName } from './function-names.ts';
import type { Context } from './function-registry.ts';
import type { AliasRecord, FunctionRecord, VersionRecord } from './lambda-state.ts';
import { functionNotFound, invalidParameter } from './sim-error.ts';

/**
 * A qualifier names `$LATEST`, a published version (digits) or an alias, either in the function name
 * (`f:live`) or as the `Qualifier` parameter; Lambda refuses the two when they disagree.
 */
export function qualifierOf(ref: ResolvedName, param: string | undefined): string | undefined {
  if (param && ref.qualifier && param !== ref.qualifier) {
    throw invalidParameter(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  return param ?? ref.qualifier;
}

/** A version or alias named by qualifier; `$LATEST` is null. */
export function resolveQualifier(
  context: Context,
  fn: FunctionRecord,
  qualifier: string | undefined,
): { version: VersionRecord | null; alias?: AliasRecord } {
  if (!qualifier || qualifier === '$LATEST') return { version: null };
  if (/^\d+$/.test(qualifier)) {
    const version = fn.versions.find((v) => v.version === qualifier);
    if (!version) throw functionNotFound(functionArn(context, fn.name, qualifier));
    return { version };
  }
  const alias = fn.aliases[qualifier];
  if (!alias) throw functionNotFound(functionArn(context, fn.name, qualifier));
  return { version: fn.versions.find((v) => v.version === alias.functionVersion) ?? null, alias };
}

export function assertVersionExists(context: Context, fn: FunctionRecord, functionVersion: string): void {
  if (functionVersion !== '$LATEST' && !fn.versions.some((v) => v.version === functionVersion)) {
    throw functionNotFound(functionArn(context, fn.name, functionVersion));
  }
}
