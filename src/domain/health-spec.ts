import { z } from 'zod';
import { parseDurationMs } from './durations.ts';
import { maxHookTimeoutMs } from './hook-timeouts.ts';
import { parseFunctionRef } from './lambda-names.ts';

/**
 * The `health` part of a release spec: what judges a candidate during bakes (alarms, per-version metrics
 * against thresholds and against the stable version) and the validation hooks around traffic.
 * Validated with the rest of the spec; normalised to milliseconds and fractions for the workflow.
 */
function isParsableDuration(value: unknown): value is string | number {
  try {
    parseDurationMs(value as string | number);
    return true;
  } catch {
    return false;
  }
}

const durationSchema = z
  .union([z.string(), z.number().int().nonnegative()])
  .refine(isParsableDuration, { message: 'a duration: milliseconds, or a number with a unit, e.g. 5s, 1m' });

const ratioLimit = z
  .strictObject({
    max: z.number().min(0).max(1).optional().describe('Absolute ceiling, as a fraction (0.01 = 1%).'),
    maxRatioToStable: z
      .number()
      .min(1)
      .optional()
      .describe("Ceiling relative to the stable version's value."),
  })
  .refine((value) => value.max !== undefined || value.maxRatioToStable !== undefined, {
    message: 'give max, maxRatioToStable, or both',
  });

const durationLimit = z
  .strictObject({
    maxMs: z.number().positive().optional().describe('Absolute ceiling in milliseconds.'),
    maxRatioToStable: z
      .number()
      .min(1)
      .optional()
      .describe("Ceiling relative to the stable version's value."),
  })
  .refine((value) => value.maxMs !== undefined || value.maxRatioToStable !== undefined, {
    message: 'give maxMs, maxRatioToStable, or both',
  });

const hookSchema = z.union([
  z.strictObject({
    lambda: z
      .string()
      .refine((name) => parseFunctionRef(name).ok, { message: 'not a Lambda function name or ARN' })
      .describe('A validation function, invoked with the release and candidate version in its payload.'),
  }),
  z.strictObject({
    http: z
      .url({ protocol: /^https?$/ })
      .describe('An endpoint that receives a POST with the release as JSON; any 2xx passes.'),
  }),
]);

/** Limits on synthetic probes: they spend the function's concurrency and are billed like any invocation. */
export const probeLimits = {
  maxRatePerSecond: 20,
  minTimeoutMs: 100,
  maxTimeoutMs: 30_000,
  maxPayloads: 10,
  /** All payloads together: they travel in the release's input and in every health activity's input. */
  maxPayloadBytes: 8 * 1024,
  maxPreTrafficMs: 5 * 60_000,
} as const;

const durationBetween = (minMs: number, maxMs: number, message: string) =>
  durationSchema.refine(
    (value) => {
      if (!isParsableDuration(value)) return true; // the duration's own check reports it
      const ms = parseDurationMs(value);
      return ms >= minMs && ms <= maxMs;
    },
    { message },
  );

const jsonValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** `$`, then `.name` or `[index]` steps: enough to reach a field of a JSON answer, nothing that runs code. */
export const probeJsonPathPattern = /^\$(?:\.[A-Za-z_$][\w$-]*|\[\d+\])*$/;

const probesSchema = z
  .strictObject({
    ratePerSecond: z
      .number()
      .positive()
      .max(probeLimits.maxRatePerSecond)
      .default(5)
      .describe(
        'Probes per second sent to each version (candidate and stable), by Invoke with Qualifier = the version. ' +
          'Each probe is a billed invocation and takes concurrency: see docs/health.md for the cost.',
      ),
    timeout: durationBetween(probeLimits.minTimeoutMs, probeLimits.maxTimeoutMs, 'between 100ms and 30s')
      .default('3s')
      .describe('A probe not answered within this is a failure.'),
    payloads: z
      .array(z.unknown())
      .min(1)
      .max(probeLimits.maxPayloads)
      .default([{}])
      .refine(
        (payloads) => {
          try {
            const text = JSON.stringify(payloads);
            return text !== undefined && new TextEncoder().encode(text).length <= probeLimits.maxPayloadBytes;
          } catch {
            return false;
          }
        },
        { message: `JSON of at most ${probeLimits.maxPayloadBytes} bytes in all` },
      )
      .describe('Event payloads sent in turn, as JSON.'),
    expect: z
      .strictObject({
        jsonPath: z
          .string()
          .regex(probeJsonPathPattern, { message: 'a simple JSON path such as $.statusCode or $.body[0].ok' })
          .describe('Where in the JSON answer to look.'),
        equals: jsonValue.describe('The value a healthy answer has there.'),
      })
      .optional()
      .describe(
        'What a healthy answer looks like. Without it, a probe fails only on a FunctionError or a timeout.',
      ),
    preTraffic: durationBetween(0, probeLimits.maxPreTrafficMs, 'between 0s and 5m')
      .default('5s')
      .describe(
        'How long the candidate (and stable, for comparison) are probed after the candidate is published and ' +
          'before any traffic moves; a failing round stops the release with the alias untouched. 0s skips it.',
      ),
  })
  .describe(
    'Synthetic probes: Ramp invokes the candidate and stable versions directly (never the alias, so the traffic ' +
      "split is untouched) and judges the candidate's failures against stable's, without waiting for CloudWatch.",
  );

/** The practical threshold the sequential judge applies when a spec states none. */
export const defaultTolerance = { ratioToStable: 1.2, minRateIncrease: 0.001 } as const;

export const healthSpecSchema = z
  .strictObject({
    interval: durationSchema
      .default('10s')
      // zod runs this refinement even when the duration check above failed: an unparsable value must be
      // reported by that check, never thrown from here (it was a 500 instead of a 400).
      .refine((value) => !isParsableDuration(value) || parseDurationMs(value) >= 1000, {
        message: 'at least 1s',
      })
      .describe('How often checks run during a bake.'),
    alarms: z
      .array(z.string().min(1).max(255))
      .max(50)
      .default([])
      .describe('CloudWatch alarm names; ALARM rolls back.'),
    preexistingAlarms: z
      .enum(['ignore', 'fail'])
      .default('ignore')
      .describe(
        'An alarm already in ALARM before traffic moved (the incident the release may fix): "ignore" reports it and ' +
          'lets the per-version metrics decide; "fail" stops the release.',
      ),
    metrics: z
      .strictObject({
        judge: z
          .enum(['sequential', 'fixed'])
          .default('sequential')
          .describe(
            'Which statistics judge the metrics: "sequential" (tests whose error rates hold however often they ' +
              'look, with the tolerance below; latency on whole windows of minutes) or "fixed" (a fixed-confidence ' +
              'test per check, as releases before the sequential judge had; it compounds false alarms over a ' +
              'long bake). docs/health.md.',
          ),
        minInvocations: z
          .number()
          .int()
          .min(1)
          .default(50)
          .describe('Candidate invocations needed for a verdict.'),
        confidence: z
          .number()
          .min(0.5)
          .max(0.9999)
          .default(0.99)
          .describe('Confidence of the statistical tests (one-sided).'),
        insufficientTraffic: z
          .enum(['wait', 'pass', 'fail'])
          .default('wait')
          .describe(
            'Too few invocations when a bake ends: keep watching (up to the bake again), pass, or roll back.',
          ),
        tolerance: z
          .strictObject({
            ratioToStable: z
              .number()
              .min(1)
              .default(defaultTolerance.ratioToStable)
              .describe(
                "Sequential judge: a candidate rate up to this multiple of stable's is never a regression, when the " +
                  'limit gives no maxRatioToStable of its own.',
              ),
            minRateIncrease: z
              .number()
              .min(0)
              .max(1)
              .default(defaultTolerance.minRateIncrease)
              .describe(
                "Sequential judge: an error or throttle rate above stable's by less than this fraction (0.001 = 0.1 " +
                  'percentage point) never rolls back.',
              ),
          })
          .default(defaultTolerance)
          .describe('Practical threshold: regressions smaller than this never trigger a rollback.'),
        latencyWindowMinutes: z
          .number()
          .int()
          .min(3)
          .max(60)
          .default(10)
          .describe(
            'Sequential judge: per-minute latency datapoints are compared with a rank test once per window of this many minutes.',
          ),
        errorRate: ratioLimit.optional(),
        throttleRate: ratioLimit.optional(),
        p50Duration: durationLimit.optional(),
        p99Duration: durationLimit.optional(),
      })
      .optional(),
    probes: probesSchema.optional(),
    hooks: z
      .strictObject({
        beforeTraffic: hookSchema
          .optional()
          .describe('Runs before any traffic moves; failure stops the release.'),
        afterTraffic: hookSchema.optional().describe('Runs after promotion; failure rolls back.'),
        timeout: durationSchema
          .default('60s')
          .refine(
            (value) => {
              try {
                const ms = parseDurationMs(value);
                return ms >= 1000 && ms <= maxHookTimeoutMs;
              } catch {
                return true; // the duration's own check reports it
              }
            },
            {
              message:
                'between 1s and 1h: a hook that runs longer than an hour is cut off (CodeDeploy allows lifecycle hooks one hour too)',
            },
          )
          .describe(
            'How long each hook call may take; it is aborted then and the release stops. At most 1h.',
          ),
      })
      .optional(),
  })
  .describe(
    'Health analysis between steps: alarms, per-version metrics, synthetic probes and validation hooks.',
  );

export type HealthSpec = z.output<typeof healthSpecSchema>;
export type HookSpec = z.output<typeof hookSchema>;

/** The health config a workflow carries: durations in ms, defaults applied. */
export interface HealthConfig {
  intervalMs: number;
  alarms: string[];
  preexistingAlarms: 'ignore' | 'fail';
  metrics?: {
    /** Absent in configs recorded before the sequential judge existed: those releases keep the fixed one. */
    judge?: 'sequential' | 'fixed';
    minInvocations: number;
    confidence: number;
    insufficientTraffic: 'wait' | 'pass' | 'fail';
    /** Absent in configs recorded before the sequential judge existed: the judge uses defaultTolerance. */
    tolerance?: { ratioToStable: number; minRateIncrease: number };
    latencyWindowMinutes?: number;
    errorRate?: { max?: number; maxRatioToStable?: number };
    throttleRate?: { max?: number; maxRatioToStable?: number };
    p50Duration?: { maxMs?: number; maxRatioToStable?: number };
    p99Duration?: { maxMs?: number; maxRatioToStable?: number };
  };
  hooks?: { beforeTraffic?: HookSpec; afterTraffic?: HookSpec; timeoutMs: number };
  probes?: ProbeConfig;
}

/** Synthetic probes as the workflow carries them (docs/health.md, "Synthetic probes"). */
export interface ProbeConfig {
  ratePerSecond: number;
  timeoutMs: number;
  payloads: unknown[];
  expect?: { jsonPath: string; equals: string | number | boolean | null };
  /** 0: no probe round before traffic moves. */
  preTrafficMs: number;
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function healthConfigOf(spec: HealthSpec): HealthConfig {
  return definedOnly({
    intervalMs: parseDurationMs(spec.interval),
    alarms: spec.alarms,
    preexistingAlarms: spec.preexistingAlarms,
    metrics: spec.metrics ? (definedOnly({ ...spec.metrics }) as HealthConfig['metrics']) : undefined,
    hooks: spec.hooks
      ? (definedOnly({
          beforeTraffic: spec.hooks.beforeTraffic,
          afterTraffic: spec.hooks.afterTraffic,
          timeoutMs: parseDurationMs(spec.hooks.timeout),
        }) as HealthConfig['hooks'])
      : undefined,
    probes: spec.probes
      ? (definedOnly({
          ratePerSecond: spec.probes.ratePerSecond,
          timeoutMs: parseDurationMs(spec.probes.timeout),
          payloads: spec.probes.payloads,
          expect: spec.probes.expect,
          preTrafficMs: parseDurationMs(spec.probes.preTraffic),
        }) as ProbeConfig)
      : undefined,
  }) as HealthConfig;
}
