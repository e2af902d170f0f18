/**
 * Everything a user-facing surface (API, CLI, tests) does with releases, over Temporal alone: start one,
 * read its status, control it, list them. No database of Ramp's own: Temporal's history and visibility
 * are the record.
 */
import { createHash } from 'node:crypto';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { FailureType } from '../domain/failure-types.ts';
import { parseReleaseId, releaseIdOf, releaseWorkflowId } from '../domain/release-id.ts';
import type { ReleaseInput } from '../domain/release-input.ts';
import type { ControlAction, ControlRequest } from '../domain/release-state.ts';
import type { ReleaseStatus, ReleaseSummary } from '../domain/release-status.ts';
import {
  rampAlias,
  rampFunction,
  rampIdempotencyKey,
  rampPhase,
  rampRegion,
} from '../domain/search-attributes.ts';
import type { ReleaseSpec } from '../domain/spec.ts';
import {
  executeUpdateSurvivingTaskFailure,
  isUpdateDroppedByTaskFailure,
} from '../temporal/execute-update.ts';
import { GrpcStatus, grpcCodeOf } from '../temporal/grpc-status.ts';
import { controlUpdates, statusQuery } from '../workflows/release/messages.ts';
import { currentVerdictOf } from './live-verdict.ts';
import { withOutboxOutcome } from './outbox-timeline.ts';
import {
  alreadyRunning,
  idempotencyKeyReused,
  ReleaseClientError,
  releaseNotFound,
} from './release-errors.ts';
import { type NotifyDefaults, releaseInputFromSpec } from './release-input-from-spec.ts';
import { releaseMemo, releaseQuery, releaseSummaryOf } from './visibility.ts';

export interface ReleaseClientDeps {
  client: Client;
  artifacts: ArtifactStore;
  taskQueue: string;
  defaultRegion: string;
}

export interface StartedRelease {
  releaseId: string;
  workflowId: string;
  runId: string;
  /** True when an Idempotency-Key matched a release started earlier: nothing new was started. */
  isExisting: boolean;
}

export interface ListFilter {
  functionName?: string;
  alias?: string;
  outcome?: string;
  isRunning?: boolean;
  pageSize?: number;
  pageToken?: string;
}

const listDeadlineMs = 10_000;
/**
 * A running release answers its status from its worker. Without one (all workers gone, or overloaded)
 * Temporal would hold the query for long; a status read answers or fails in seconds, saying why.
 */
const statusQueryDeadlineMs = 5_000;

const fingerprintMemo = releaseMemo.requestSha256;
const descriptionMemo = releaseMemo.description;

/** JSON with sorted keys, so the same spec always hashes the same (a train's too). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function requestFingerprint(spec: ReleaseSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** A reused key must come with the same request: anything else is a client bug, refused (422). */
function checkFingerprint(key: string, fingerprint: string, memo: Record<string, unknown> | undefined): void {
  const earlier = memo?.[fingerprintMemo];
  // Releases started before fingerprints were recorded carry none: the key alone decides, as it did then.
  if (typeof earlier === 'string' && earlier !== fingerprint) throw idempotencyKeyReused(key);
}

export function createReleaseClient(deps: ReleaseClientDeps) {
  const { client } = deps;

  /** The release an earlier request with this key started; a 422 when that request's body differed. */
  async function findByIdempotencyKey(key: string, fingerprint: string): Promise<StartedRelease | undefined> {
    for await (const execution of client.workflow.list({
      query: releaseQuery({ idempotencyKey: key }),
      pageSize: 1,
    })) {
      checkFingerprint(key, fingerprint, execution.memo);
      return {
        releaseId: releaseIdOf(execution.workflowId, execution.runId),
        workflowId: execution.workflowId,
        runId: execution.runId,
        isExisting: true,
      };
    }
    return undefined;
  }

  async function startInput(
    input: ReleaseInput,
    idempotency: { key: string; fingerprint: string } | undefined,
  ): Promise<StartedRelease> {
    const workflowId = releaseWorkflowId(input);
    const idempotencyKey = idempotency?.key;
    if (idempotency) {
      const earlier = await findByIdempotencyKey(idempotency.key, idempotency.fingerprint);
      if (earlier) return earlier;
    }
    try {
      const handle = await client.workflow.start('release', {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [input],
        // One running release per function alias, enforced by Temporal's workflow ID uniqueness.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: rampFunction, value: input.functionShortName },
          { key: rampAlias, value: input.alias },
          { key: rampRegion, value: input.region },
          { key: rampPhase, value: 'starting' },
          ...(idempotencyKey ? [{ key: rampIdempotencyKey, value: idempotencyKey }] : []),
        ],
        memo: {
          ...(idempotency ? { [fingerprintMemo]: idempotency.fingerprint } : {}),
          // For listings (`ramp release list`), which read visibility and not each release's input.
          ...(input.description ? { [descriptionMemo]: input.description } : {}),
        },
        staticSummary: `${input.functionShortName}:${input.alias} (${input.region})`,
      });
      const runId = handle.firstExecutionRunId;
      return { releaseId: releaseIdOf(workflowId, runId), workflowId, runId, isExisting: false };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      // The running release is either the one this key started (a retried request whose first answer was
      // lost, before visibility indexed it) or someone else's: 409 naming it.
      const running = await client.workflow.getHandle(workflowId).describe();
      const runningId = releaseIdOf(workflowId, running.runId);
      if (idempotency && running.typedSearchAttributes.get(rampIdempotencyKey) === idempotency.key) {
        checkFingerprint(idempotency.key, idempotency.fingerprint, running.memo);
        return { releaseId: runningId, workflowId, runId: running.runId, isExisting: true };
      }
      throw alreadyRunning(runningId, `${input.functionShortName}:${input.alias}`);
    }
  }

  function handleOf(releaseId: string) {
    const parsed = parseReleaseId(releaseId);
    if (!parsed) throw releaseNotFound(releaseId);
    return client.workflow.getHandle(parsed.workflowId, parsed.runId);
  }

  async function status(releaseId: string): Promise<ReleaseStatus> {
    const handle = handleOf(releaseId);
    let description: Awaited<ReturnType<typeof handle.describe>>;
    try {
      // A deadline of its own: with Temporal down, the client would retry for about 20 s before failing,
      // longer than most callers wait. Its DeadlineExceeded is the API's 503 Unavailable, in seconds.
      description = await client.withDeadline(Date.now() + statusQueryDeadlineMs, () => handle.describe());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw releaseNotFound(releaseId);
      throw error;
    }
    if (description.status.name === 'RUNNING') {
      try {
        const current = await client.withDeadline(Date.now() + statusQueryDeadlineMs, () =>
          handle.query(statusQuery),
        );
        const verdict = await currentVerdictOf(client, description);
        return verdict ? { ...current, currentVerdict: verdict } : current;
      } catch (error) {
        if (grpcCodeOf(error) !== GrpcStatus.DeadlineExceeded) throw error;
        throw new ReleaseClientError(
          FailureType.Transient,
          `release ${releaseId} is running but did not answer within ${statusQueryDeadlineMs / 1000} s: no Ramp worker polls its task queue ${description.taskQueue}, or the worker is overloaded`,
        );
      }
    }
    // A closed release answers from its history (result or failure details), so no worker is needed; what
    // its notification outbox did since is added from the outbox's.
    try {
      return await withOutboxOutcome(client, (await handle.result()) as ReleaseStatus);
    } catch (error) {
      const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
      const details =
        cause instanceof ApplicationFailure ? (cause.details?.[0] as ReleaseStatus | undefined) : undefined;
      if (details?.releaseId) return withOutboxOutcome(client, details);
      throw new ReleaseClientError(
        FailureType.Transient,
        `release ${releaseId} ended as ${description.status.name} without a status`,
      );
    }
  }

  return {
    async start(
      spec: ReleaseSpec,
      options: { idempotencyKey?: string; requestedBy?: string; notify?: NotifyDefaults } = {},
    ) {
      // Fingerprinted before staging, so a retry with another body is refused before any work.
      const idempotency = options.idempotencyKey
        ? { key: options.idempotencyKey, fingerprint: requestFingerprint(spec) }
        : undefined;
      const input = await releaseInputFromSpec(spec, {
        artifacts: deps.artifacts,
        defaultRegion: deps.defaultRegion,
        ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
        ...(options.notify ? { notify: options.notify } : {}),
      });
      return startInput(input, idempotency);
    },

    status,

    async control(
      releaseId: string,
      action: ControlAction,
      request: ControlRequest = {},
    ): Promise<ReleaseStatus> {
      const handle = handleOf(releaseId);
      try {
        await executeUpdateSurvivingTaskFailure(handle, controlUpdates[action], request);
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
          throw new ReleaseClientError(FailureType.InvalidState, error.cause.message);
        }
        if (error instanceof WorkflowNotFoundError) {
          // Closed releases refuse updates as "not found": say why instead.
          const current = await status(releaseId);
          throw new ReleaseClientError(
            FailureType.InvalidState,
            `cannot ${action}: the release has already ended (outcome: ${current.outcome})`,
          );
        }
        if (isUpdateDroppedByTaskFailure(error)) {
          throw new ReleaseClientError(
            FailureType.Transient,
            `cannot ${action} now: the release's workflow task kept failing and Temporal dropped the request each time; it did not take effect, retry`,
          );
        }
        throw error;
      }
      // The update answers once it took effect; the status read now shows that effect (approve no longer
      // reads awaiting_approval), whatever the update itself returns.
      return status(releaseId);
    },

    async list(
      filter: ListFilter = {},
    ): Promise<{ releases: ReleaseSummary[]; nextPageToken: string | null }> {
      // A deadline of its own: the client retries some errors (an unknown page token among them), and a
      // listing must answer or fail in seconds, not hold an API request.
      const response = await client.withDeadline(Date.now() + listDeadlineMs, () =>
        client.workflowService.listWorkflowExecutions({
          namespace: client.options.namespace,
          query: releaseQuery({
            ...(filter.functionName ? { functionName: filter.functionName } : {}),
            ...(filter.alias ? { alias: filter.alias } : {}),
            ...(filter.outcome ? { outcome: filter.outcome } : {}),
            ...(filter.isRunning !== undefined ? { isRunning: filter.isRunning } : {}),
          }),
          pageSize: filter.pageSize ?? 20,
          ...(filter.pageToken ? { nextPageToken: Buffer.from(filter.pageToken, 'base64url') } : {}),
        }),
      );
      const releases = await Promise.all(
        (response.executions ?? []).map((execution) => releaseSummaryOf(client, execution)),
      );
      const token = response.nextPageToken;
      return {
        releases,
        nextPageToken: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null,
      };
    },
  };
}

export type ReleaseClient = ReturnType<typeof createReleaseClient>;
