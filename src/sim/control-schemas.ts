import { z } from 'zod';

/**
 * The bodies the control API (`/_sim/…`) accepts, as zod schemas: the control API validates every request
 * with them, `ramp sim fault …` builds its bodies from them, and the programmatic API (`sim.faults…`,
 * `sim.alarms.put`) is typed by them, so the three surfaces refuse the same things.
 */
const name = z.string().min(1);
const count = z.number().int().positive();
const fraction = z.number().min(0).max(1);

export const throttleFaultSchema = z.strictObject({
  kind: z.literal('throttle'),
  operation: name.optional(),
  functionName: name.optional(),
  probability: fraction.optional(),
  count: count.optional(),
  /** A burst: every matching call is throttled for this long. */
  forMs: z.number().nonnegative().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  reason: name.optional(),
});

export const latencyFaultSchema = z.strictObject({
  kind: z.literal('latency'),
  operation: name.optional(),
  functionName: name.optional(),
  ms: z.number().nonnegative(),
  count: count.optional(),
});

export const serviceErrorFaultSchema = z.strictObject({
  kind: z.literal('serviceError'),
  operation: name.optional(),
  functionName: name.optional(),
  count: count.optional(),
  probability: fraction.optional(),
});

export const loseResponseFaultSchema = z.strictObject({
  kind: z.literal('loseResponse'),
  operation: name,
  functionName: name.optional(),
  count: count.optional(),
});

/** Permission taken away mid-release (an IAM change): the call is refused with 403 AccessDeniedException. */
export const accessDeniedFaultSchema = z.strictObject({
  kind: z.literal('accessDenied'),
  operation: name,
  functionName: name.optional(),
  count: count.optional(),
});

export const failNextUpdateFaultSchema = z.strictObject({
  kind: z.literal('failNextUpdate'),
  functionName: name,
  reasonCode: name,
  reason: name,
});

export const slowNextUpdateFaultSchema = z.strictObject({
  kind: z.literal('slowNextUpdate'),
  functionName: name,
  /** How long the next code or configuration update stays InProgress (real updates can take minutes). */
  ms: z.number().int().nonnegative().max(3_600_000),
});

export const outsideChangeFaultSchema = z.strictObject({
  kind: z.literal('outsideChange'),
  functionName: name,
  when: z.strictObject({ operation: name, phase: z.enum(['before', 'after']) }),
  change: z.enum(['code', 'config', 'alias']),
  alias: name.optional(),
  count: count.optional(),
});

const latencyMs = z.number().positive();

export const versionBehaviourFaultSchema = z.strictObject({
  kind: z.literal('versionBehaviour'),
  functionName: name,
  version: z.string().regex(/^(\$LATEST|[0-9]+)$/, 'a published version number or $LATEST'),
  errorRate: fraction.optional(),
  /** One number: every invocation takes that long; or a log-normal through p50 and p99. */
  latencyMs: z.union([latencyMs, z.strictObject({ p50: latencyMs, p99: latencyMs })]).optional(),
  throttleRate: fraction.optional(),
});

export const faultRequestSchema = z.discriminatedUnion('kind', [
  throttleFaultSchema,
  latencyFaultSchema,
  serviceErrorFaultSchema,
  loseResponseFaultSchema,
  accessDeniedFaultSchema,
  failNextUpdateFaultSchema,
  slowNextUpdateFaultSchema,
  outsideChangeFaultSchema,
  versionBehaviourFaultSchema,
]);

/** A body for `POST /_sim/faults`. */
export type FaultRequest = z.input<typeof faultRequestSchema>;

/** The options of one fault kind, as `sim.faults.<kind>(…)` takes them. */
type OptionsOf<Schema extends z.ZodType> = Omit<z.output<Schema>, 'kind'>;
export type ThrottleOptions = OptionsOf<typeof throttleFaultSchema>;
export type LatencyOptions = OptionsOf<typeof latencyFaultSchema>;
export type ServiceErrorOptions = OptionsOf<typeof serviceErrorFaultSchema>;
export type LoseResponseOptions = OptionsOf<typeof loseResponseFaultSchema>;
export type AccessDeniedOptions = OptionsOf<typeof accessDeniedFaultSchema>;
export type FailNextUpdateOptions = OptionsOf<typeof failNextUpdateFaultSchema>;
export type SlowNextUpdateOptions = OptionsOf<typeof slowNextUpdateFaultSchema>;
export type OutsideChangeOptions = OptionsOf<typeof outsideChangeFaultSchema>;
export type VersionBehaviourOptions = Omit<
  OptionsOf<typeof versionBehaviourFaultSchema>,
  'functionName' | 'version'
>;

export const trafficRequestSchema = z.strictObject({
  functionName: name,
  qualifier: name.optional(),
  ratePerSecond: z.number().positive().default(10),
  region: name.optional(),
});

const comparisonBySymbol = {
  '>': 'GreaterThanThreshold',
  '>=': 'GreaterThanOrEqualToThreshold',
  '<': 'LessThanThreshold',
  '<=': 'LessThanOrEqualToThreshold',
} as const;

const comparisonNames = Object.values(comparisonBySymbol);
type ComparisonName = (typeof comparisonNames)[number];

/**
 * What `sim.alarms.put` and `POST /_sim/alarms` accept: an alarm definition where `metric` may stand for
 * `metricName`, `periodSec` for `periodSeconds`, and `>`, `>=`, `<`, `<=` for CloudWatch's operator names.
 */
export const alarmInputSchema = z
  .strictObject({
    name,
    region: name.optional(),
    namespace: name.optional(),
    metricName: name.optional(),
    metric: name.optional(),
    dimensions: z.record(z.string(), z.string()).default({}),
    statistic: z
      .string()
      .regex(
        /^(Sum|Average|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/,
        'Sum, Average, Minimum, Maximum, SampleCount or a percentile such as p99',
      ),
    threshold: z.number(),
    comparison: z.enum([
      ...comparisonNames,
      ...(Object.keys(comparisonBySymbol) as (keyof typeof comparisonBySymbol)[]),
    ]),
    periodSeconds: z.number().int().positive().optional(),
    periodSec: z.number().int().positive().optional(),
    evaluationPeriods: z.number().int().positive(),
  })
  .check((context) => {
    const input = context.value;
    if (input.metricName === undefined && input.metric === undefined)
      context.issues.push({
        code: 'custom',
        path: ['metric'],
        message: 'metric (or metricName) is required',
        input,
      });
    if (input.periodSeconds === undefined && input.periodSec === undefined)
      context.issues.push({
        code: 'custom',
        path: ['periodSec'],
        message: 'periodSec (or periodSeconds) is required',
        input,
      });
  })
  .transform(({ metric, metricName, periodSec, periodSeconds, comparison, ...rest }) => ({
    ...rest,
    metricName: metricName ?? metric ?? '',
    periodSeconds: periodSeconds ?? periodSec ?? 60,
    comparison: (comparisonBySymbol[comparison as keyof typeof comparisonBySymbol] ??
      comparison) as ComparisonName,
  }));

export type AlarmInput = z.input<typeof alarmInputSchema>;
export type AlarmDefinition = z.output<typeof alarmInputSchema>;

export const alarmStates = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

/** `PUT /_sim/alarms/<name>/state`, like `aws cloudwatch set-alarm-state`. */
export const alarmStateRequestSchema = z.strictObject({
  state: z.enum(alarmStates),
  reason: z.string().default('set by hand'),
  region: name.optional(),
});

/** `DELETE /_sim/alarms/<name>` may name the alarm's region. */
export const alarmDeleteRequestSchema = z.strictObject({ region: name.optional() });

/** An IAM role ARN; the account and the role's name (after any path) are its groups. */
export const roleArnPattern = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** `POST /_sim/roles`: a role STS lets callers assume, in the account its ARN names. */
export const roleDefinitionSchema = z.strictObject({
  roleArn: z.string().regex(roleArnPattern, 'an IAM role ARN: arn:aws:iam::<account>:role/<name>'),
  /** When set, AssumeRole must carry this ExternalId, as a trust policy with `sts:ExternalId` demands. */
  externalId: z.string().min(2).max(1224).optional(),
});

export type RoleDefinition = z.input<typeof roleDefinitionSchema>;

/** A zod failure as the control API answers it: a one-line message and the problems by field. */
export function problemsOf(error: z.ZodError): {
  message: string;
  problems: { field: string; message: string }[];
} {
  return {
    message: `invalid request body: ${z.prettifyError(error).replace(/\n\s*/g, ' ')}`,
    problems: error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })),
  };
}
