import { functionNotFound, SimError, validationError } from './sim-error.ts';

/**
 * FunctionName as Lambda accepts it in a path: a name, a partial ARN (`123456789012:function:f`) or a full
 * ARN, optionally with `:qualifier`. Percent-encoded by the SDK. Length limits apply where Lambda applies
 * them (64 for a bare name, 140 for an ARN, on the operations that create or change a function).
 */
const pattern =
  /^(?:arn:(aws[a-zA-Z-]*):lambda:)?(?:((?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

export interface ResolvedName {
  name: string;
  qualifier: string | undefined;
}

export function resolveFunctionName(
  raw: string,
  context: { region: string; accountId: string; isStrict: boolean },
): ResolvedName {
  const match = pattern.exec(raw);
  if (!match) {
    throw validationError(
      raw,
      'functionName',
      'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
    );
  }
  const [, , region, accountId, name = '', qualifier] = match;
  const isArn = raw.includes(':function:') || raw.startsWith('arn:');
  if (context.isStrict) {
    const limit = isArn ? 140 : 64;
    if (raw.length > limit) {
      throw new SimError(
        400,
        isArn ? 'ValidationException' : 'InvalidParameterValueException',
        `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
        isArn ? { hasType: false } : {},
      );
    }
  }
  if (region && region !== context.region) {
    throw new SimError(
      404,
      'ResourceNotFoundException',
      `Functions from '${region}' are not reachable in this region ('${context.region}')`,
      {
        messageKey: 'Message',
      },
    );
  }
  if (accountId && accountId !== context.accountId) {
    throw new SimError(
      403,
      'AccessDeniedException',
      `User is not authorized to access function ${raw} in account ${accountId}`,
    );
  }
  if (!isArn && name.length > 64) throw functionNotFound(functionArn(context, name));
  return { name, qualifier };
}

export function functionArn(
  context: { region: string; accountId: string },
  name: string,
  qualifier?: string,
): string {
  return `arn:aws:lambda:${context.region}:${context.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}
