/**
 * Lambda's rules for naming functions and aliases, from the API reference (FunctionName pattern and
 * lengths; recorded: a name is at most 64 characters, a full ARN at most 140). Pure: used at the edge
 * (API, CLI) and in workflows to derive identities.
 */
export const maxFunctionNameLength = 64;
export const maxFunctionArnLength = 140;

const namePattern = /^[a-zA-Z0-9_-]+$/;
const fullArnPattern =
  /^arn:(aws[a-zA-Z-]*):lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9_-]+)$/;
const partialArnPattern = /^(\d{12}):function:([a-zA-Z0-9_-]+)$/;
const aliasPattern = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

export interface FunctionRef {
  /** The bare function name, e.g. `my-fn`. */
  name: string;
  /** Present when the caller gave a full ARN. */
  region?: string;
  /** Present when the caller gave a full or partial ARN. */
  accountId?: string;
  partition?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Accepts a name, a full ARN or a partial ARN of an unqualified function (Ramp always updates
 * `$LATEST`, so a qualifier is refused here with a message that says so).
 */
export function parseFunctionRef(input: string): ParseResult<FunctionRef> {
  if (input.length === 0) return { ok: false, message: 'function name must not be empty' };
  const looksLikeArn = input.startsWith('arn:');
  const limit = looksLikeArn ? maxFunctionArnLength : maxFunctionNameLength;
  if (!input.includes(':') && input.length > maxFunctionNameLength) {
    return {
      ok: false,
      message: `function name is ${input.length} characters; Lambda allows at most ${maxFunctionNameLength}`,
    };
  }
  if (input.length > limit || input.length > maxFunctionArnLength) {
    return {
      ok: false,
      message: `function ARN is ${input.length} characters; Lambda allows at most ${maxFunctionArnLength}`,
    };
  }
  if (namePattern.test(input)) return { ok: true, value: { name: input } };
  const full = fullArnPattern.exec(input);
  if (full) {
    const [, partition, region, accountId, name] = full as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (name.length > maxFunctionNameLength) {
      return {
        ok: false,
        message: `function name in the ARN is longer than ${maxFunctionNameLength} characters`,
      };
    }
    return { ok: true, value: { name, region, accountId, partition } };
  }
  const partial = partialArnPattern.exec(input);
  if (partial) {
    const [, accountId, name] = partial as unknown as [string, string, string];
    return { ok: true, value: { name, accountId } };
  }
  if (/:(\$LATEST|[a-zA-Z0-9_-]+)$/.test(input) && /function:[a-zA-Z0-9_-]+:/.test(input)) {
    return {
      ok: false,
      message:
        'give the function without a version or alias qualifier: Ramp updates $LATEST and manages the alias itself',
    };
  }
  return {
    ok: false,
    message:
      'not a Lambda function name or ARN: use a name of letters, digits, - and _ (e.g. my-fn), ' +
      'a full ARN (arn:aws:lambda:us-east-1:123456789012:function:my-fn) or a partial ARN (123456789012:function:my-fn)',
  };
}

export function isValidAliasName(name: string): boolean {
  return aliasPattern.test(name);
}

export const aliasNameRule =
  'an alias name is 1 to 128 letters, digits, - and _, and not only digits (Lambda reserves those for versions)';
