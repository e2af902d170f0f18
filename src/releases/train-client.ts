/**
 * Everything a user-facing surface (API, CLI, tests) does with trains, over Temporal alone: start one
 * (after checking that no target alias is busy), read its status, control it, list them.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { parseDurationMs } from '../domain/durations.ts';
import { FailureType } from '../domain/failure-types.ts';
import { parseReleaseId, releaseIdOf, releaseWorkflowId } from '../domain/release-id.ts';
import type { ControlRequest } from '../domain/release-state.ts';
import type { ReleaseStatus } from '../domain/release-status.ts';
import { rampIdempotencyKey, rampOutcome, rampPhase, rampTrain } from '../domain/search-attributes.ts';
import type { TrainInput } from '../domain/train-input.ts';
import { type TrainSpec, wavesOf } from '../domain/train-spec.ts';
import type { TrainControlAction } from '../domain/train-state.ts';
import type { TrainStatus, TrainSummary } from '../domain/train-status.ts';
import {
  executeUpdateSurvivingTaskFailure,
  isUpdateDroppedByTaskFailure,
} from '../temporal/execute-update.ts';
import { statusQuery } from '../workflows/release/messages.ts';
import { trainControlUpdates, trainStatusQuery } from '../workflows/train/messages.ts';
import { canonicalJson } from './release-client.ts';
import { idempotencyKeyReused, ReleaseClientError } from './release-errors.ts';
import { type NotifyDefaults, releaseInputFromSpec } from './release-input-from-spec.ts';

export interface TrainClientDeps {
  client: Client;
  artifacts: ArtifactStore;
  taskQueue: string;
  defaultRegion: string;
}

export interface StartedTrain {
  trainId: string;
  /** True when an Idempotency-Key matched a train started earlier: nothing new was started. */
  isExisting: boolean;
}

const memo = { name: 'rampTrainName', requestSha256: 'rampRequestSha256' } as const;
const trainIdPattern = /^train-[0-9a-f-]{16,36}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function trainNotFound(id: string): ReleaseClientError {
  return new ReleaseClientError(FailureType.NotFound, `no train ${id}`);
}

export function createTrainClient(deps: TrainClientDeps) {
  const { client } = deps;

  function handleOf(trainId: string) {
    if (!trainIdPattern.test(trainId)) throw trainNotFound(trainId);
    return client.workflow.getHandle(trainId);
  }

  async function inputOf(
    spec: TrainSpec,
    requestedBy: string | undefined,
    notify: NotifyDefaults | undefined,
  ): Promise<TrainInput> {
    const by = `${requestedBy ? `${requestedBy}, ` : ''}train ${spec.name}`;
    const waves = await Promise.all(
      wavesOf(spec).map(async (wave) => ({
        name: wave.name,
        ...(wave.maxParallel !== undefined ? { maxParallel: wave.maxParallel } : {}),
        requiresApproval: wave.requiresApproval,
        targets: await Promise.all(
          wave.targets.map((target) =>
            releaseInputFromSpec(target, {
              artifacts: deps.artifacts,
              defaultRegion: deps.defaultRegion,
              requestedBy: by,
              ...(notify ? { notify } : {}),
            }),
          ),
        ),
      })),
    );
    return {
      name: spec.name,
      waves,
      onFailure: spec.onFailure,
      ...(spec.watchAfterWave !== undefined
        ? { watchAfterWaveMs: parseDurationMs(spec.watchAfterWave) }
        : {}),
      ...(requestedBy ? { requestedBy } : {}),
    };
  }

  /** The same alias twice in one train could never run (one release per alias): refused up front. */
  function checkDistinctTargets(input: TrainInput): void {
    const seen = new Set<string>();
    const problems: { field: string; message: string }[] = [];
    for (const [w, wave] of input.waves.entries()) {
      for (const [t, target] of wave.targets.entries()) {
        const id = releaseWorkflowId(target);
        if (seen.has(id))
          problems.push({
            field: `waves.${w}.targets.${t}`,
            message: `${target.functionShortName}:${target.alias} in ${target.region} is already a target of this train`,
          });
        seen.add(id);
      }
    }
    if (problems.length > 0)
      throw new ReleaseClientError(
        FailureType.InvalidSpec,
        `invalid train spec: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        { problems },
      );
  }

  /** Every target alias a release (single or another train's) is running on now: 409 naming them all. */
  async function checkNoneBusy(input: TrainInput): Promise<void> {
    const targets = input.waves.flatMap((wave) => wave.targets);
    const busy: { alias: string; releaseId: string }[] = [];
    for (let i = 0; i < targets.length; i += 20) {
      await Promise.all(
        targets.slice(i, i + 20).map(async (target) => {
          const workflowId = releaseWorkflowId(target);
          try {
            const running = await client.workflow.getHandle(workflowId).describe();
            if (running.status.name === 'RUNNING')
              busy.push({
                alias: `${target.functionShortName}:${target.alias} (${target.region})`,
                releaseId: releaseIdOf(workflowId, running.runId),
              });
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }
        }),
      );
    }
    if (busy.length === 0) return;
    throw new ReleaseClientError(
      FailureType.AlreadyRunning,
      `releases are already running for ${busy.map((b) => `${b.alias}: ${b.releaseId}`).join(', ')}; the train started nothing`,
      { busyTargets: busy },
    );
  }

  /** A train started with this id earlier (an idempotent retry), or undefined. */
  async function existing(
    trainId: string,
    fingerprint: string,
    key: string,
  ): Promise<StartedTrain | undefined> {
    try {
      const description = await client.workflow.getHandle(trainId).describe();
      if (description.memo?.[memo.requestSha256] !== fingerprint) throw idempotencyKeyReused(key);
      return { trainId, isExisting: true };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** Each running target's live phase and weight, read from its release (the train keeps only ids). */
  async function withLiveTargets(status: TrainStatus): Promise<TrainStatus> {
    const live = status.waves.flatMap((wave) =>
      wave.targets.filter((target) => target.releaseId && target.outcome === null),
    );
    await Promise.all(
      live.map(async (target) => {
        const parsed = parseReleaseId(target.releaseId ?? '');
        if (!parsed) return;
        try {
          const release: ReleaseStatus = await client.workflow
            .getHandle(parsed.workflowId, parsed.runId)
            .query(statusQuery);
          target.phase = release.phase;
          target.candidateWeightPercent = release.candidateWeightPercent;
          target.stableVersion = release.stableVersion;
          target.candidateVersion = release.candidateVersion;
        } catch {
          // The release just ended, or its worker is away: the train's own view stands.
        }
      }),
    );
    return status;
  }

  async function status(trainId: string): Promise<TrainStatus> {
    const handle = handleOf(trainId);
    let description: Awaited<ReturnType<typeof handle.describe>>;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw trainNotFound(trainId);
      throw error;
    }
    if (description.status.name === 'RUNNING') return withLiveTargets(await handle.query(trainStatusQuery));
    // A closed train answers from its history, so no worker is needed.
    try {
      return (await handle.result()) as TrainStatus;
    } catch {
      throw new ReleaseClientError(
        FailureType.Transient,
        `train ${trainId} ended as ${description.status.name} without a status`,
      );
    }
  }

  return {
    async start(
      spec: TrainSpec,
      options: { idempotencyKey?: string; requestedBy?: string; notify?: NotifyDefaults } = {},
    ): Promise<StartedTrain> {
      const fingerprint = sha256(canonicalJson(spec));
      const key = options.idempotencyKey;
      // An Idempotency-Key names the train itself, so a retried request finds it with no race.
      const trainId = key ? `train-${sha256(`train:${key}`).slice(0, 32)}` : `train-${randomUUID()}`;
      if (key) {
        const earlier = await existing(trainId, fingerprint, key);
        if (earlier) return earlier;
      }
      const input = await inputOf(spec, options.requestedBy, options.notify);
      checkDistinctTargets(input);
      await checkNoneBusy(input);
      try {
        await client.workflow.start('train', {
          taskQueue: deps.taskQueue,
          workflowId: trainId,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: rampTrain, value: trainId },
            { key: rampPhase, value: 'starting' },
            ...(key ? [{ key: rampIdempotencyKey, value: key }] : []),
          ],
          memo: { [memo.name]: spec.name, [memo.requestSha256]: fingerprint },
          staticSummary: `train ${spec.name}`,
        });
        return { trainId, isExisting: false };
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError) || !key) throw error;
        const earlier = await existing(trainId, fingerprint, key);
        if (earlier) return earlier;
        throw error;
      }
    },

    status,

    async control(
      trainId: string,
      action: TrainControlAction,
      request: ControlRequest = {},
    ): Promise<TrainStatus> {
      const handle = handleOf(trainId);
      try {
        await executeUpdateSurvivingTaskFailure(handle, trainControlUpdates[action], request);
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
          throw new ReleaseClientError(FailureType.InvalidState, error.cause.message);
        if (error instanceof WorkflowNotFoundError) {
          const current = await status(trainId);
          throw new ReleaseClientError(
            FailureType.InvalidState,
            `cannot ${action}: the train has already ended (outcome: ${current.outcome})`,
          );
        }
        if (isUpdateDroppedByTaskFailure(error)) {
          throw new ReleaseClientError(
            FailureType.Transient,
            `cannot ${action} now: the train's workflow task kept failing and Temporal dropped the request each time; it did not take effect, retry`,
          );
        }
        throw error;
      }
      return status(trainId);
    },

    async list(filter: { isRunning?: boolean; pageSize?: number } = {}): Promise<TrainSummary[]> {
      const clauses = ["WorkflowType = 'train'"];
      if (filter.isRunning !== undefined)
        clauses.push(`ExecutionStatus ${filter.isRunning ? '=' : '!='} 'Running'`);
      const trains: TrainSummary[] = [];
      for await (const execution of client.workflow.list({
        query: clauses.join(' AND '),
        pageSize: filter.pageSize ?? 50,
      })) {
        const attributes = execution.typedSearchAttributes;
        const name = execution.memo?.[memo.name];
        trains.push({
          id: execution.workflowId,
          name: typeof name === 'string' ? name : null,
          phase: attributes.get(rampPhase) ?? null,
          outcome: (attributes.get(rampOutcome) ?? null) as TrainSummary['outcome'],
          isRunning: execution.status.name === 'RUNNING',
          startedAt: execution.startTime.toISOString(),
          endedAt: execution.closeTime?.toISOString() ?? null,
        });
        if (trains.length >= (filter.pageSize ?? 50)) break;
      }
      return trains;
    },
  };
}

export type TrainClient = ReturnType<typeof createTrainClient>;
