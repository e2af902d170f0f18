import { z } from 'zod';
import { parseFunctionRef } from './lambda-names.ts';
import { notifyListSchema } from './notify-spec.ts';
import { durationSchema, problemsOf, type ReleaseSpec, releaseSpecSchema, type SpecProblem } from './spec.ts';

/**
 * The train spec: one rollout of many releases in waves (docs/trains.md). Each target is exactly a
 * release spec once `defaults` are merged under it, validated by the release spec's own schema, so a
 * target's problems read as the release's would, under its path (`waves.1.targets.0.strategy: …`).
 */

export const trainFailurePolicies = ['rollback-train', 'stop'] as const;
export type TrainFailurePolicy = (typeof trainFailurePolicies)[number];

// Targets and defaults are loose records here: a target alone need not be a whole release spec (the
// defaults may give its alias or strategy), so the merged target is what the release schema checks.
const releaseFieldsSchema = z
  .record(z.string(), z.unknown())
  .describe('Fields of a release spec (the body of POST /v1/releases).');

export const trainWaveSchema = z.strictObject({
  name: z.string().min(1).max(100),
  targets: z
    .array(releaseFieldsSchema)
    .min(1)
    .describe('Release specs; each gets the train’s `defaults` under its own fields.'),
  maxParallel: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('How many of the wave’s releases run at once (default: all of them).'),
  approval: z.boolean().optional().describe('Wait for an approval (POST …/approve) before the wave starts.'),
});

export const trainSpecSchema = z
  .strictObject({
    name: z.string().min(1).max(200).describe('What is rolling out, e.g. "payments 2.4.0".'),
    defaults: releaseFieldsSchema
      .optional()
      .describe('Release spec fields merged into every target; a target’s own fields win.'),
    waves: z.array(trainWaveSchema).min(1).max(50),
    watchAfterWave: durationSchema
      .optional()
      .describe('After each wave has promoted, keep watching its targets’ health this long, rollback armed.'),
    notify: notifyListSchema
      .optional()
      .describe(
        'Webhooks told about the train’s own events (train_started, train_paused, train_awaiting_approval, and its ending: train_succeeded, train_rolled_back, …). Each target’s releases notify their own `notify` (which `defaults` may give).',
      ),
    onFailure: z
      .enum(trainFailurePolicies)
      .default('rollback-train')
      .describe(
        '`rollback-train`: a failure rolls back every promoted target, newest first; `stop`: earlier waves stay.',
      ),
  })
  .superRefine((spec, ctx) => {
    for (const [waveIndex, wave] of spec.waves.entries()) {
      for (const [targetIndex, fields] of wave.targets.entries()) {
        const result = releaseSpecSchema.safeParse(mergeTarget(spec.defaults, fields));
        if (result.success) continue;
        for (const problem of problemsOf(result.error.issues)) {
          ctx.addIssue({
            code: 'custom',
            path: ['waves', waveIndex, 'targets', targetIndex, ...splitField(problem.field)],
            message: problem.message,
          });
        }
      }
    }
  });

export type TrainSpecInput = z.input<typeof trainSpecSchema>;
export type TrainSpec = z.output<typeof trainSpecSchema>;

function splitField(field: string): (string | number)[] {
  if (!field) return [];
  return field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** A target's fields over the defaults; shallow, so a target's `health` replaces the default one whole. */
export function mergeTarget(
  defaults: Record<string, unknown> | undefined,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return { ...(defaults ?? {}), ...fields };
}

export interface TrainWavePlan {
  name: string;
  maxParallel?: number;
  requiresApproval: boolean;
  targets: ReleaseSpec[];
}

/** The waves with every target a validated release spec. Only for a spec that passed the schema. */
export function wavesOf(spec: TrainSpec): TrainWavePlan[] {
  return spec.waves.map((wave) => ({
    name: wave.name,
    ...(wave.maxParallel !== undefined ? { maxParallel: wave.maxParallel } : {}),
    requiresApproval: wave.approval === true,
    targets: wave.targets.map((fields) => releaseSpecSchema.parse(mergeTarget(spec.defaults, fields))),
  }));
}

export type TrainSpecResult = { ok: true; spec: TrainSpec } | { ok: false; problems: SpecProblem[] };

export function validateTrainSpec(input: unknown): TrainSpecResult {
  const result = trainSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  return { ok: false, problems: problemsOf(result.error.issues) };
}

/** The function's short name of each target, for authorization (a token must cover every one). */
export function targetFunctionNames(spec: TrainSpec): string[] {
  return wavesOf(spec).flatMap((wave) =>
    wave.targets.map((target) => {
      const ref = parseFunctionRef(target.function);
      return ref.ok ? ref.value.name : target.function;
    }),
  );
}
