import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { parseDurationMs } from '../domain/durations.ts';
import { healthConfigOf } from '../domain/health-spec.ts';
import { parseFunctionRef } from '../domain/lambda-names.ts';
import type { CodeRef, ReleaseInput } from '../domain/release-input.ts';
import { planOf } from '../domain/release-plan.ts';
import type { ReleaseSpec } from '../domain/spec.ts';

/**
 * Turns a validated spec into the workflow's input: an inline zip is staged in the artifact store by its
 * hash first, so only a reference travels through Temporal.
 */
export async function releaseInputFromSpec(
  spec: ReleaseSpec,
  context: { artifacts: ArtifactStore; defaultRegion: string; requestedBy?: string },
): Promise<ReleaseInput> {
  const parsed = parseFunctionRef(spec.function);
  if (!parsed.ok) throw new RangeError(parsed.message);
  let code: CodeRef;
  if (spec.version !== undefined || spec.code === undefined) {
    if (spec.version === undefined) throw new RangeError('a release needs code or a version');
    code = { kind: 'version', version: spec.version };
  } else if ('zipFile' in spec.code) {
    const staged = await context.artifacts.put(Buffer.from(spec.code.zipFile, 'base64'));
    code = { kind: 'staged', ...staged };
  } else if ('s3Bucket' in spec.code) {
    code = {
      kind: 's3',
      bucket: spec.code.s3Bucket,
      key: spec.code.s3Key,
      ...(spec.code.s3ObjectVersion ? { objectVersion: spec.code.s3ObjectVersion } : {}),
    };
  } else {
    code = { kind: 'image', imageUri: spec.code.imageUri };
  }
  return {
    functionName: spec.function,
    functionShortName: parsed.value.name,
    region: spec.region ?? parsed.value.region ?? context.defaultRegion,
    alias: spec.alias,
    code,
    ...(spec.expectedRevisionId ? { expectedRevisionId: spec.expectedRevisionId } : {}),
    strategy: spec.strategy,
    // Computed once here and carried in the input: the release keeps this plan whatever happens to the
    // predefined strategies while it runs.
    plan: planOf(spec.strategy),
    ...(spec.description ? { description: spec.description } : {}),
    approvalTimeoutMs: parseDurationMs(spec.approvalTimeout),
    ...(spec.maxPause !== undefined ? { maxPauseMs: parseDurationMs(spec.maxPause) } : {}),
    updateTimeoutMs: parseDurationMs(spec.updateTimeout),
    ...(spec.createAlias ? { createAlias: true } : {}),
    ...(spec.health ? { health: healthConfigOf(spec.health) } : {}),
    ...(context.requestedBy ? { requestedBy: context.requestedBy } : {}),
  };
}
