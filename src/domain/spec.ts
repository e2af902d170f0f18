import { z } from 'zod';
import { isDuration } from './durations.ts';
import { healthSpecSchema } from './health-spec.ts';
import { aliasNameRule, isValidAliasName, parseFunctionRef } from './lambda-names.ts';
import { notifyListSchema } from './notify-spec.ts';
import { externalIdPattern, roleArnPattern, roleArnRule } from './role-arn.ts';
import { customStepProblems, isKnownStrategyName, predefinedStrategyNames } from './strategies.ts';

/**
 * The release spec: the one input shape shared by the API, the CLI and the workflow's start.
 * Types and runtime validation come from this schema, and so does the OpenAPI document.
 * Unknown fields are refused (a typo in a deployment spec must not be silently ignored).
 */

/** Lambda's direct-upload limit for a zip (50 MB zipped), in bytes. */
export const maxZipBytes = 50 * 1024 * 1024;

// Linear: base64 characters, then at most two padding characters (length is checked separately).
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function base64DecodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

export const durationSchema = z
  .union([z.string(), z.number().int().nonnegative()])
  .refine((value) => typeof value === 'number' || isDuration(value), {
    message: 'a duration: milliseconds, or a number with a unit, e.g. 30s, 5m, 1h30m, 2d',
  });

export const zipCodeSchema = z.strictObject({
  zipFile: z
    .string()
    .min(1)
    // Size first, and then a linear-time check: a 70 MB string must not meet a backtracking pattern.
    .check((ctx) => {
      const text = ctx.value;
      if (base64DecodedLength(text) > maxZipBytes) {
        ctx.issues.push({
          code: 'custom',
          input: text,
          message: `zipFile is over Lambda's direct-upload limit of ${maxZipBytes} bytes; upload it to S3 and give s3Bucket and s3Key`,
        });
      } else if (text.length % 4 !== 0 || !base64Pattern.test(text)) {
        ctx.issues.push({ code: 'custom', input: text, message: 'zipFile must be the zip, base64-encoded' });
      }
    })
    .describe('The deployment package (zip), base64-encoded; at most 50 MB once decoded.'),
});

export const s3CodeSchema = z.strictObject({
  s3Bucket: z
    .string()
    .min(3)
    .max(63)
    .regex(/^[0-9A-Za-z.\-_]+$/, 'not an S3 bucket name'),
  s3Key: z.string().min(1).max(1024),
  s3ObjectVersion: z.string().min(1).max(1024).optional(),
});

export const imageCodeSchema = z.strictObject({
  imageUri: z
    .string()
    .min(1)
    .regex(/^[^\s]+\.dkr\.ecr\.[^\s]+\/[^\s]+(:[^\s@]+|@sha256:[0-9a-f]{64})$/, {
      message: 'imageUri must be an Amazon ECR image URI with a tag or digest',
    }),
});

export const codeSchema = z
  .union([zipCodeSchema, s3CodeSchema, imageCodeSchema])
  .describe(
    'Where the new code comes from: exactly one of { zipFile }, { s3Bucket, s3Key, s3ObjectVersion? } or { imageUri }.',
  );

export const customStepSchema = z.strictObject({
  weight: z.number().gt(0).lte(100).describe('Percent of traffic on the new version during this step.'),
  bake: durationSchema.optional().describe('How long to hold this weight and watch health, e.g. "10m".'),
  approval: z.boolean().optional().describe('Wait for an approval before moving on.'),
});

export const strategySchema = z
  .union([
    z.string().refine(isKnownStrategyName, {
      message: `unknown strategy; use one of ${predefinedStrategyNames.join(', ')} (also with the CodeDeployDefault.Lambda prefix), or { "steps": [...] }`,
    }),
    z.strictObject({ steps: z.array(customStepSchema).min(1).max(100) }).superRefine((value, ctx) => {
      for (const problem of customStepProblems(value.steps))
        ctx.addIssue({ code: 'custom', message: problem });
    }),
  ])
  .describe('A CodeDeploy predefined Lambda configuration by name, "AllAtOnce", or custom steps.');

export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'not an AWS region, e.g. us-east-1');

export const releaseSpecSchema = z
  .strictObject({
    function: z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseFunctionRef(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      })
      .describe('Function name, full ARN or partial ARN (unqualified).'),
    alias: z
      .string()
      .refine(isValidAliasName, { message: aliasNameRule })
      .describe('The alias that takes traffic; created on the first release.'),
    code: codeSchema.optional(),
    version: z
      .string()
      .regex(/^[1-9][0-9]{0,9}$/, 'a published version number such as "7" ($LATEST is not a version)')
      .optional()
      .describe(
        'Release an already-published version instead of new code: no update and no publish, only the traffic shift, under the same guards, health checks and controls. Give either code or version.',
      ),
    expectedRevisionId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'not a Lambda RevisionId (a UUID, as GetFunction returns it)')
      .optional()
      .describe("Only release if the function's RevisionId is still this one."),
    strategy: strategySchema.default('Canary10Percent5Minutes'),
    description: z
      .string()
      .max(256)
      .optional()
      .describe('Description of the published version (Lambda allows 256).'),
    region: regionSchema
      .optional()
      .describe("AWS region; defaults to the ARN's region, then the server's AWS region."),
    health: healthSpecSchema.optional(),
    approvalTimeout: durationSchema
      .default('24h')
      .describe('How long a step waits for approval before the release rolls back.'),
    maxPause: durationSchema
      .optional()
      .describe(
        'How long a pause may hold the release before it rolls back (default: the approval timeout). Health stays watched while paused.',
      ),
    updateTimeout: durationSchema
      .default('15m')
      .describe('How long to wait for Lambda to finish the code update before the release fails.'),
    createAlias: z
      .boolean()
      .default(false)
      .describe(
        'Create the alias if it does not exist (a first release). Without it, a missing alias is refused before anything is written, so a typo in the alias name cannot create a new one.',
      ),
    notify: notifyListSchema.optional(),
    roleArn: z
      .string()
      .max(2048)
      .regex(roleArnPattern, roleArnRule)
      .optional()
      .describe(
        "Release into another AWS account: the IAM role the worker assumes (STS AssumeRole, session name from the release id) for every call of this release. Without it, the worker's own credentials.",
      ),
    externalId: z
      .string()
      .regex(externalIdPattern, '2 to 1224 characters of A-Z a-z 0-9 _ + = , . @ : / -')
      .optional()
      .describe("The ExternalId the role's trust policy demands (sts:ExternalId); only with roleArn."),
  })
  .superRefine((spec, ctx) => {
    if (spec.externalId !== undefined && spec.roleArn === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalId'],
        message: 'externalId is sent when assuming roleArn: give roleArn too',
      });
    }
    const roleAccount = spec.roleArn ? roleArnPattern.exec(spec.roleArn)?.[1] : undefined;
    const functionAccount = parseFunctionRef(spec.function);
    if (
      roleAccount &&
      functionAccount.ok &&
      functionAccount.value.accountId &&
      functionAccount.value.accountId !== roleAccount
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['roleArn'],
        message: `the role is in account ${roleAccount} but the function ARN names account ${functionAccount.value.accountId}: a release acts in the role's account`,
      });
    }
    if ((spec.code === undefined) === (spec.version === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [spec.code === undefined ? 'code' : 'version'],
        message:
          spec.code === undefined
            ? 'give the new code ({ zipFile }, { s3Bucket, s3Key } or { imageUri }) or an existing version to release'
            : 'give either code or version, not both',
      });
    }
    if (spec.version !== undefined && spec.expectedRevisionId !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['expectedRevisionId'],
        message:
          'expectedRevisionId guards the code update, and a release of an existing version updates no code',
      });
    }
    const parsed = parseFunctionRef(spec.function);
    if (parsed.ok && parsed.value.region && spec.region && parsed.value.region !== spec.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['region'],
        message: `region ${spec.region} does not match the function ARN's region ${parsed.value.region}`,
      });
    }
  });

/** The spec as a caller writes it (defaults optional). */
export type ReleaseSpecInput = z.input<typeof releaseSpecSchema>;
/** The spec once validated (defaults applied). */
export type ReleaseSpec = z.output<typeof releaseSpecSchema>;
export type CodeSpec = z.output<typeof codeSchema>;

export interface SpecProblem {
  /** Dotted path to the field, e.g. `strategy.steps.1.weight`; empty for the whole spec. */
  field: string;
  message: string;
}

export type SpecResult = { ok: true; spec: ReleaseSpec } | { ok: false; problems: SpecProblem[] };

/**
 * A union (code, strategy) that fails says only "Invalid input"; a person needs the closest branch's own
 * problems (the zip that is not base64, the step whose weight is wrong), so those are reported instead.
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): SpecProblem[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => rank(a) - rank(b))[0] ?? [];
      return problemsOf(closest, path);
    }
    return [{ field: path.map(String).join('.'), message: issue.message }];
  });
}

/** Branches that failed on a wrong type or shape are further from what the caller meant than refinements. */
function rank(issues: readonly z.core.$ZodIssue[]): number {
  return issues.reduce(
    (total, issue) =>
      total + (issue.code === 'custom' || issue.code === 'too_big' || issue.code === 'too_small' ? 1 : 10),
    0,
  );
}

export function validateReleaseSpec(input: unknown): SpecResult {
  const result = releaseSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  return { ok: false, problems: problemsOf(result.error.issues) };
}

export function formatSpecProblems(problems: SpecProblem[]): string {
  return problems
    .map((problem) => (problem.field ? `${problem.field}: ${problem.message}` : problem.message))
    .join('; ');
}
