/**
 * Temporal visibility, the only record of releases Ramp keeps: one query builder (with its quoting) for
 * listing, counting and idempotency lookups, and the SDK's own decoding of what comes back.
 */
import type { Client } from '@temporalio/client';
// The SDK's decoder of one raw execution (search attributes, status, timestamps), as its own `list()` uses;
// `list()` itself hides the page token the API hands out.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import type { temporal } from '@temporalio/proto';
import { releaseIdOf } from '../domain/release-id.ts';
import type { ReleaseSummary } from '../domain/release-status.ts';
import {
  rampAlias,
  rampFunction,
  rampIdempotencyKey,
  rampOutcome,
  rampPhase,
  rampRegion,
} from '../domain/search-attributes.ts';

/** Memo fields a release starts with: read back by listings and idempotent retries, never by the workflow. */
export const releaseMemo = {
  /** The description of the published version, for listings. */
  description: 'rampDescription',
  /** SHA-256 of the request an Idempotency-Key started the release with. */
  requestSha256: 'rampRequestSha256',
} as const;

export interface ReleaseQuery {
  functionName?: string;
  alias?: string;
  outcome?: string;
  /** A phase (RampPhase), e.g. `rolling_back`. */
  phase?: string;
  isRunning?: boolean;
  idempotencyKey?: string;
}

// Values reach here validated (names, aliases, outcomes, keys have no quotes); dropping quote characters
// keeps a value from ever closing its string literal anyway.
const literal = (value: string) => `'${value.replace(/['"\\]/g, '')}'`;

/** The visibility query of release workflows matching the filter. */
export function releaseQuery(filter: ReleaseQuery = {}): string {
  const clauses = ["WorkflowType = 'release'"];
  if (filter.functionName) clauses.push(`${rampFunction.name} = ${literal(filter.functionName)}`);
  if (filter.alias) clauses.push(`${rampAlias.name} = ${literal(filter.alias)}`);
  if (filter.outcome) clauses.push(`${rampOutcome.name} = ${literal(filter.outcome)}`);
  if (filter.phase) clauses.push(`${rampPhase.name} = ${literal(filter.phase)}`);
  if (filter.idempotencyKey) clauses.push(`${rampIdempotencyKey.name} = ${literal(filter.idempotencyKey)}`);
  if (filter.isRunning !== undefined)
    clauses.push(`ExecutionStatus ${filter.isRunning ? '=' : '!='} 'Running'`);
  return clauses.join(' AND ');
}

/** One listed execution as a release summary, decoded by the SDK. */
export async function releaseSummaryOf(
  client: Client,
  raw: temporal.api.workflow.v1.IWorkflowExecutionInfo,
): Promise<ReleaseSummary> {
  const info = await executionInfoFromRaw(
    raw,
    client.options.loadedDataConverter,
    raw,
    client.options.namespace,
  );
  const attributes = info.typedSearchAttributes;
  const memo = info.memo ?? {};
  return {
    releaseId: releaseIdOf(info.workflowId, info.runId),
    functionName: attributes.get(rampFunction) ?? '',
    alias: attributes.get(rampAlias) ?? '',
    region: attributes.get(rampRegion) ?? '',
    phase: attributes.get(rampPhase) ?? null,
    outcome: (attributes.get(rampOutcome) ?? null) as ReleaseSummary['outcome'],
    isRunning: info.status.name === 'RUNNING',
    description:
      typeof memo[releaseMemo.description] === 'string' ? String(memo[releaseMemo.description]) : null,
    startedAt: info.startTime.toISOString(),
    endedAt: info.closeTime?.toISOString() ?? null,
  };
}
