import { functionArn } from './function-names.ts';
import type { Context } from './function-registry.ts';
import type { AliasRecord, CodeState, FunctionRecord, VersionRecord } from './lambda-state.ts';

/**
 * Lambda's answers: a function's or version's configuration, an alias, a code location and a page of a
 * listing, shaped and cased as the service model says so the SDK reads them as it reads Lambda's.
 */
type Body = Record<string, unknown>;

export function configurationOf(
  context: Context,
  fn: FunctionRecord,
  version: VersionRecord | null,
  now: number,
  arnQualifier?: string,
): Body {
  const latest = fn.latest;
  const source = version ?? latest;
  const config = source.config;
  const body: Body = {
    FunctionName: fn.name,
    FunctionArn: functionArn(context, fn.name, arnQualifier ?? (version ? version.version : undefined)),
    ...(config.runtime ? { Runtime: config.runtime } : {}),
    Role: config.role,
    ...(config.handler ? { Handler: config.handler } : {}),
    CodeSize: source.code.size,
    Description: version ? version.description : config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: source.lastModified,
    CodeSha256: source.code.sha256,
    Version: version ? version.version : '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: source.revisionId,
    PackageType: config.packageType,
    Architectures: config.architectures,
    EphemeralStorage: { Size: 512 },
  };
  if (version && version.activeAt !== undefined && now < version.activeAt) {
    body.State = 'Pending';
    body.StateReason = 'The function is being created.';
    body.StateReasonCode = 'Creating';
  } else if (version) {
    body.State = 'Active';
    body.LastUpdateStatus = 'Successful';
  } else {
    body.State = latest.state;
    if (latest.state === 'Pending') {
      body.StateReason = 'The function is being created.';
      body.StateReasonCode = 'Creating';
    }
    if (latest.lastUpdateStatus) body.LastUpdateStatus = latest.lastUpdateStatus;
    if (latest.lastUpdateStatus === 'InProgress') {
      body.LastUpdateStatusReason = 'The function is being created.';
      body.LastUpdateStatusReasonCode = 'Creating';
    } else if (latest.lastUpdateStatus === 'Failed') {
      body.LastUpdateStatusReason = latest.lastUpdateStatusReason;
      body.LastUpdateStatusReasonCode = latest.lastUpdateStatusReasonCode;
    }
  }
  return body;
}

/** A configuration as ListVersionsByFunction lists it: without the state fields. */
export function listEntryOf(configuration: Body): Body {
  const {
    State: _s,
    LastUpdateStatus: _l,
    StateReason: _r,
    StateReasonCode: _c,
    LastUpdateStatusReason: _lr,
    LastUpdateStatusReasonCode: _lc,
    ...rest
  } = configuration;
  return rest;
}

export function aliasOf(context: Context, fn: FunctionRecord, alias: AliasRecord): Body {
  const hasWeights = Object.keys(alias.weights).length > 0;
  return {
    AliasArn: functionArn(context, fn.name, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
    // Lambda omits RoutingConfig when there is no additional version.
    ...(hasWeights ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
  };
}

export function codeLocationOf(context: Context, fn: FunctionRecord, code: CodeState): Body {
  return code.imageUri
    ? {
        RepositoryType: 'ECR',
        ImageUri: code.imageUri,
        ResolvedImageUri: `${code.imageUri.split(':')[0]}@sha256:${Buffer.from(code.sha256, 'base64').toString('hex')}`,
      }
    : {
        RepositoryType: 'S3',
        Location: `https://awslambda-${context.region}-tasks.s3.${context.region}.amazonaws.com/snapshots/${context.accountId}/${fn.name}`,
      };
}

/** One page of a listing: `Marker` is an offset here, `MaxItems` at most 50, as Lambda pages. */
export function pageOf(items: Body[], query: URLSearchParams, key: string): Body {
  const start = Number(query.get('Marker') ?? 0) || 0;
  const size = Math.min(50, Number(query.get('MaxItems') ?? 50) || 50);
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? String(start + size) : undefined;
  return { [key]: slice, ...(next ? { NextMarker: next } : {}) };
}
