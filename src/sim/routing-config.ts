import { functionArn } from './function-names.ts';
import type { Context } from './function-registry.ts';
import type { FunctionRecord } from './lambda-state.ts';
import { functionNotFound, invalidParameter, validationError } from './sim-error.ts';

/**
 * An alias's RoutingConfig as Lambda checks it, in Lambda's order and words: version keys are digits,
 * weights 0.0–1.0, at most one additional version, never with `$LATEST`, never the alias's own version,
 * and only published versions.
 */
export function validateRouting(
  context: Context,
  fn: FunctionRecord,
  functionVersion: string,
  routing: unknown,
): Record<string, number> {
  const raw = (routing as { AdditionalVersionWeights?: unknown } | undefined)?.AdditionalVersionWeights;
  const entries = Object.entries((raw ?? {}) as Record<string, unknown>);
  for (const [version, weight] of entries) {
    if (!/^[0-9]+$/.test(version)) {
      throw validationError(
        `{${version}=${weight}}`,
        'routingConfig.additionalVersionWeights',
        'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]',
      );
    }
    if (typeof weight !== 'number' || weight < 0 || weight > 1) {
      throw validationError(
        `{${version}=${Number(weight).toFixed(1)}}`,
        'routingConfig.additionalVersionWeights',
        'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]',
      );
    }
  }
  if (entries.length > 1)
    throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
  if (entries.length === 1 && functionVersion === '$LATEST') {
    throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version', {
      hasType: false,
    });
  }
  for (const [version] of entries) {
    if (version === functionVersion) {
      throw invalidParameter(
        `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`,
      );
    }
    if (!fn.versions.some((v) => v.version === version))
      throw functionNotFound(functionArn(context, fn.name, version));
  }
  return Object.fromEntries(entries) as Record<string, number>;
}
