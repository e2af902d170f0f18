import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { parseDurationMs } from '../domain/durations.ts';
import { healthConfigOf } from '../domain/health-spec.ts';
import { parseFunctionRef } from '../domain/lambda-names.ts';
import type { NotifyConfig, NotifyTarget } from '../domain/notifications.ts';
import type { CodeRef, ReleaseInput } from '../domain/release-input.ts';
import { planOf } from '../domain/release-plan.ts';
import type { ReleaseSpec } from '../domain/spec.ts';

/** The server's side of notifications: its default targets and the public URL links point at. */
export interface NotifyDefaults {
  targets: NotifyTarget[];
  publicUrl?: string;
}

/**
 * Turns a validated spec into the workflow's input: an inline zip is staged in the artifact store by its
 * hash first, so only a reference travels through Temporal.
 */
export async function releaseInputFromSpec(
  spec: ReleaseSpec,
  context: {
    artifacts: ArtifactStore;
    defaultRegion: string;
    requestedBy?: string;
    notify?: NotifyDefaults;
  },
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
    ...notifyOf(spec, context.notify),
    ...(spec.roleArn ? { roleArn: spec.roleArn } : {}),
    ...(spec.externalId ? { externalId: spec.externalId } : {}),
  };
}

/**
 * The spec's targets, then the server's defaults, recorded in the input so the release keeps them whatever
 * the server's file says later. A default the spec already names (same webhook and format) is not added twice.
 */
function notifyOf(spec: ReleaseSpec, defaults: NotifyDefaults | undefined): Pick<ReleaseInput, 'notify'> {
  const notify = notifyConfigOf(spec.notify, defaults);
  return notify ? { notify } : {};
}

/** A spec's own targets (a release's, a train's), then the server's defaults not already named; undefined: none. */
export function notifyConfigOf(
  own: ReleaseSpec['notify'],
  defaults: NotifyDefaults | undefined,
): NotifyConfig | undefined {
  const targets: NotifyTarget[] = (own ?? []).map((target) => ({
    webhook: target.webhook,
    format: target.format,
    ...(target.events ? { events: [...new Set(target.events)] } : {}),
  }));
  for (const target of defaults?.targets ?? []) {
    if (!targets.some((t) => t.webhook === target.webhook && t.format === target.format))
      targets.push(target);
  }
  if (targets.length === 0) return undefined;
  return { targets, ...(defaults?.publicUrl ? { publicUrl: defaults.publicUrl } : {}) };
}
