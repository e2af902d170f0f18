/**
 * The release workflow as it ran before the release-safety patch (v1, and v2 with the health monitor),
 * kept verbatim so that releases recorded before that patch replay and finish exactly as they began.
 * New releases never run this code. Remove it with `deprecatePatch(releaseSafetyPatch)` once no release
 * older than the patch can still be running (their retention has passed).
 */

import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  HealthCheckInput,
  HealthVerdict,
  MonitorResult,
  ReleaseActivities,
} from '../../activities/index.ts';
import { FailureType, nonRetryableFailureTypes } from '../../domain/failure-types.ts';
import { type AliasState, describeAlias } from '../../domain/lambda-state.ts';
import { releaseIdOf } from '../../domain/release-id.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import {
  appendTimeline,
  type ControlAction,
  type ControlRequest,
  controlProblem,
  initialStatus,
  outcomeForFailure,
} from '../../domain/release-state.ts';
import type { ReleasePhase, ReleaseStatus } from '../../domain/release-status.ts';
import { rampOutcome, rampPhase } from '../../domain/search-attributes.ts';
import { describePlan, planSteps, promotionRequiresApproval } from '../../domain/strategies.ts';
import { controlUpdates, healthMonitorPatch, statusQuery } from './messages.ts';

const retryUntilDeadline = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: nonRetryableFailureTypes,
};

/** Single Lambda control-plane calls. Throttling is retried (honouring Retry-After) until the deadline. */
const controlPlane = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '30m',
  retry: retryUntilDeadline,
} satisfies ActivityOptions;

/** Waiting for an update to settle: long, heartbeating, so a lost worker is noticed quickly. */
const polling = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: '30s',
  retry: retryUntilDeadline,
} satisfies ActivityOptions;

/**
 * Putting the alias back on the stable version: retried for a day, because giving up leaves traffic on a
 * candidate Ramp judged bad. Only a conflict (someone else now owns the alias) or a refusal stops it.
 */
const rollback = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { ...retryUntilDeadline, maximumInterval: '1m' },
} satisfies ActivityOptions;

const lambda = proxyActivities<ReleaseActivities>(controlPlane);
const { waitForUpdate } = proxyActivities<ReleaseActivities>(polling);
const rollbackActivities = proxyActivities<ReleaseActivities>(rollback);

interface Failure {
  type: string;
  message: string;
  details: Record<string, unknown> | undefined;
  cause: Error | undefined;
}

function failureOf(error: unknown): Failure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    return {
      type: cause.type ?? FailureType.Transient,
      message: cause.message,
      details: (cause.details?.[0] as Record<string, unknown> | undefined) ?? undefined,
      cause: error instanceof Error ? error : undefined,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return {
    type: FailureType.Transient,
    message: `gave up after retries: ${message}`,
    details: undefined,
    cause: error instanceof Error ? error : undefined,
  };
}

/** A failure that ends the release; carries what the status should say. */
class ReleaseStop extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Ends the release with a failure of Ramp's own (not an activity's). */
function stop(type: FailureType, message: string, details?: Record<string, unknown>): ReleaseStop {
  return new ReleaseStop({ type, message, details, cause: undefined });
}

export async function legacyRelease(input: ReleaseInput): Promise<ReleaseStatus> {
  const info = workflowInfo();
  const steps = planSteps(input.strategy);
  const ref = { functionName: input.functionName, region: input.region };
  const aliasRef = { ...ref, alias: input.alias };
  // Date.now() inside a workflow is the workflow clock (the sandbox replaces it), so replay sees the same time.
  const now = () => new Date(Date.now()).toISOString();
  const status = initialStatus({
    releaseId: releaseIdOf(info.workflowId, info.runId),
    functionName: input.functionShortName,
    alias: input.alias,
    region: input.region,
    stepCount: steps.length,
    startedAt: now(),
  });
  const requests = { approve: false, promote: false, abort: undefined as ControlRequest | undefined };
  let alias: AliasState | null = null;
  let hasTrafficMoved = false;
  let trafficMovedAt: string | undefined;
  // Releases started before this patch keep their one-check-per-bake behaviour on replay.
  const watchesHealth = patched(healthMonitorPatch);

  const note = (event: string, message: string, details?: Record<string, unknown>) =>
    appendTimeline(status, { at: now(), event, message, ...(details ? { details } : {}) });
  const enter = (phase: ReleasePhase) => {
    if (status.phase === phase) return;
    status.phase = phase;
    upsertSearchAttributes({ [rampPhase.name]: [phase] });
  };

  setHandler(statusQuery, () => status);
  const control = (action: ControlAction, apply: (request: ControlRequest) => void) =>
    setHandler(
      controlUpdates[action],
      (request: ControlRequest) => {
        apply(request);
        note(
          action,
          `${action} requested${request.by ? ` by ${request.by}` : ''}${request.reason ? `: ${request.reason}` : ''}`,
        );
        return status;
      },
      {
        validator: (_request: ControlRequest) => {
          const problem = controlProblem(status, action);
          if (problem)
            throw ApplicationFailure.create({
              type: FailureType.InvalidState,
              message: `cannot ${action}: ${problem}`,
              nonRetryable: true,
            });
        },
      },
    );
  control('pause', () => {
    status.isPaused = true;
  });
  control('resume', () => {
    status.isPaused = false;
  });
  control('approve', () => {
    requests.approve = true;
  });
  control('promote', () => {
    requests.promote = true;
  });
  control('abort', (request) => {
    requests.abort = request;
  });

  const isInterrupted = () => requests.abort !== undefined || requests.promote;
  const stopIfAborted = () => {
    if (requests.abort) {
      throw stop(
        FailureType.Aborted,
        `aborted${requests.abort.by ? ` by ${requests.abort.by}` : ''}${requests.abort.reason ? `: ${requests.abort.reason}` : ''}`,
      );
    }
  };
  const holdWhilePaused = async () => {
    if (!status.isPaused) return;
    const resumeTo = status.phase;
    enter('paused');
    await condition(() => !status.isPaused || isInterrupted());
    enter(resumeTo);
  };

  /** Bakes for `bakeMs` of unpaused time; returns early on abort or promote. */
  const bake = async (bakeMs: number) => {
    let remainingMs = bakeMs;
    while (remainingMs > 0 && !isInterrupted()) {
      if (status.isPaused) {
        status.bakeEndsAt = null;
        await holdWhilePaused();
        continue;
      }
      const startedAt = Date.now();
      status.bakeEndsAt = new Date(startedAt + remainingMs).toISOString();
      await condition(() => status.isPaused || isInterrupted(), remainingMs);
      remainingMs -= Date.now() - startedAt;
    }
    status.bakeEndsAt = null;
  };

  const healthInput = (stage: 'step' | 'promotion'): HealthCheckInput => ({
    ...aliasRef,
    stableVersion: status.stableVersion,
    candidateVersion: status.candidateVersion ?? '',
    candidateWeightPercent: status.candidateWeightPercent,
    stage,
    stepIndex: status.stepIndex,
    ...(input.health ? { health: input.health } : {}),
    ...(trafficMovedAt ? { trafficMovedAt } : {}),
  });
  const unhealthy = (message: string, verdict: HealthVerdict) =>
    stop(FailureType.Unhealthy, `unhealthy: ${message}`, { verdict });

  /** Before the ramp-health-monitor patch: one health check after each bake. */
  const judge = async (stage: 'step' | 'promotion') => {
    const verdict: HealthVerdict = await lambda.checkHealth(healthInput(stage));
    note('health_verdict', `${verdict.status}: ${verdict.message}`, { verdict });
    if (verdict.status === 'fail') {
      throw unhealthy(verdict.message, verdict);
    }
  };

  /**
   * Bakes while one long-running, heartbeating activity watches health and returns only on a failing
   * verdict or at the bake's end, so the history stays small however long the bake and short the interval.
   * Pause, abort and promote cancel the watch; a resumed bake watches for the time that was left.
   */
  const bakeWatchingHealth = async (bakeMs: number) => {
    const intervalMs = input.health?.intervalMs ?? 10_000;
    let remainingMs = bakeMs;
    let hasExtended = false;
    while (!isInterrupted()) {
      if (status.isPaused) {
        status.bakeEndsAt = null;
        await holdWhilePaused();
        continue;
      }
      const startedAt = Date.now();
      const watchUntil = new Date(startedAt + Math.max(0, remainingMs)).toISOString();
      status.bakeEndsAt = watchUntil;
      const { monitorHealth } = proxyActivities<ReleaseActivities>({
        startToCloseTimeout: Math.max(0, remainingMs) + 5 * 60_000,
        // The monitor heartbeats every second, so a lost worker is noticed within seconds.
        heartbeatTimeout: '15s',
        retry: retryUntilDeadline,
      });
      const scope = new CancellationScope();
      const watching = scope.run(() => monitorHealth({ ...healthInput('step'), watchUntil, intervalMs }));
      const result: MonitorResult | undefined = await Promise.race([
        watching,
        condition(() => status.isPaused || isInterrupted()).then(() => undefined),
      ]);
      remainingMs -= Date.now() - startedAt;
      if (result === undefined) {
        scope.cancel();
        await watching.catch(() => undefined);
        continue;
      }
      note('health_verdict', `${result.status} after ${result.checksRun} checks: ${result.message}`, {
        verdict: result,
      });
      if (result.status === 'fail') throw unhealthy(result.message, result);
      const policy = input.health?.metrics?.insufficientTraffic;
      if (result.status === 'inconclusive' && policy !== undefined && policy !== 'pass') {
        if (policy === 'wait' && !hasExtended) {
          hasExtended = true;
          remainingMs = Math.max(bakeMs, intervalMs);
          note('bake_extended', `no verdict yet (${result.message}); watching for another ${remainingMs} ms`);
          continue;
        }
        throw unhealthy(`no verdict: ${result.message}`, result);
      }
      break;
    }
    status.bakeEndsAt = null;
  };

  const runValidationHook = async (stage: 'beforeTraffic' | 'afterTraffic') => {
    const hook = input.health?.hooks?.[stage];
    if (!hook || !input.health?.hooks) return;
    const verdict = await lambda.runValidationHook({
      hook,
      timeoutMs: input.health.hooks.timeoutMs,
      payload: {
        releaseId: status.releaseId,
        stage,
        functionName: input.functionName,
        alias: input.alias,
        region: input.region,
        candidateVersion: status.candidateVersion ?? '',
        stableVersion: status.stableVersion,
      },
    });
    note('hook_verdict', `${stage}: ${verdict.message}`, { verdict });
    if (verdict.status === 'fail') throw unhealthy(`${stage} hook failed: ${verdict.message}`, verdict);
  };

  const awaitApproval = async (what: string) => {
    status.awaitingApproval = true;
    enter('awaiting_approval');
    note('awaiting_approval', `waiting for approval ${what}`);
    const isDecided = await condition(() => requests.approve || isInterrupted(), input.approvalTimeoutMs);
    status.awaitingApproval = false;
    requests.approve = false;
    if (!isDecided) {
      throw stop(FailureType.ApprovalTimedOut, `no approval ${what} within the approval timeout`);
    }
  };

  const setAlias = async (functionVersion: string, weights: Record<string, number>, purpose: string) => {
    if (!alias)
      throw ApplicationFailure.nonRetryable(
        'the alias was written before it was read',
        FailureType.InvalidState,
      );
    alias = await lambda.updateAlias({
      ...aliasRef,
      functionVersion,
      additionalVersionWeights: weights,
      revisionId: alias.revisionId,
      purpose,
    });
  };

  const verifyAlias = async (functionVersion: string, what: string) => {
    const readBack = await lambda.readAlias(aliasRef);
    if (
      !readBack ||
      readBack.functionVersion !== functionVersion ||
      Object.values(readBack.additionalVersionWeights).some((w) => w > 0)
    ) {
      throw stop(
        FailureType.AliasChangedOutside,
        `after ${what} the alias should be on version ${functionVersion} with no routing, but it holds ${describeAlias(readBack)}`,
        { aliasNow: readBack },
      );
    }
    alias = readBack;
  };

  const finish = (outcome: ReleaseStatus['outcome']) => {
    status.outcome = outcome;
    status.awaitingApproval = false;
    status.isPaused = false;
    status.bakeEndsAt = null;
    status.endedAt = now();
    enter('completed');
    upsertSearchAttributes({ [rampOutcome.name]: [outcome ?? ''] });
  };

  try {
    note(
      'started',
      `release of ${input.functionShortName}:${input.alias} in ${input.region}: ${describePlan(steps)}${input.requestedBy ? `, requested by ${input.requestedBy}` : ''}`,
    );
    const target = await lambda.readTarget(aliasRef);
    alias = target.alias;
    status.stableVersion = alias?.functionVersion ?? null;
    if (alias && Object.values(alias.additionalVersionWeights).some((w) => w > 0)) {
      throw stop(
        FailureType.Conflict,
        `the alias is already shifting traffic (${describeAlias(alias)}): another deployment is in progress; Ramp touched nothing`,
        { guard: 'aliasRevisionId', aliasNow: alias },
      );
    }

    await holdWhilePaused();
    stopIfAborted();
    enter('updating_code');
    const update = await lambda.updateFunctionCode({
      ...ref,
      code: input.code,
      revisionId: input.expectedRevisionId ?? target.revisionId,
    });
    note(
      'code_updated',
      `UpdateFunctionCode accepted (CodeSha256 ${update.codeSha256})${update.isRecovered ? '; found in place after a lost response' : ''}`,
    );
    const settled = await waitForUpdate(ref);
    note('update_settled', 'LastUpdateStatus is Successful');

    await holdWhilePaused();
    stopIfAborted();
    enter('publishing');
    const published = await lambda.publishVersion({
      ...ref,
      codeSha256: update.codeSha256,
      revisionId: settled.revisionId,
      ...(input.description ? { description: input.description } : {}),
    });
    status.candidateVersion = published.version;
    note(
      'version_published',
      published.isExisting
        ? `Lambda returned the existing version ${published.version}: nothing changed since it was published`
        : `published version ${published.version}`,
      { version: published.version, isExisting: published.isExisting },
    );

    if (watchesHealth && alias?.functionVersion !== published.version)
      await runValidationHook('beforeTraffic');
    if (!alias) {
      enter('promoting');
      alias = await lambda.createAlias({
        ...aliasRef,
        functionVersion: published.version,
        ...(input.description ? { description: input.description } : {}),
      });
      status.candidateWeightPercent = 100;
      note('alias_created', `first release: created alias ${input.alias} on version ${published.version}`);
      if (watchesHealth) {
        hasTrafficMoved = true;
        await runValidationHook('afterTraffic');
      }
      finish('succeeded');
      return status;
    }
    if (alias.functionVersion === published.version) {
      status.candidateWeightPercent = 100;
      note('no_change', `the alias already points at version ${published.version}; no traffic to shift`);
      finish('succeeded');
      return status;
    }

    for (const [index, step] of steps.entries()) {
      await holdWhilePaused();
      if (isInterrupted()) break;
      status.stepIndex = index;
      enter('shifting');
      await setAlias(
        alias.functionVersion,
        { [published.version]: step.weightPercent / 100 },
        `shift to ${step.weightPercent}%`,
      );
      hasTrafficMoved = true;
      trafficMovedAt ??= now();
      status.candidateWeightPercent = step.weightPercent;
      note('weight_set', `version ${published.version} takes ${step.weightPercent}% of ${input.alias}`, {
        weightPercent: step.weightPercent,
      });
      enter('baking');
      if (watchesHealth) {
        await bakeWatchingHealth(step.bakeMs);
        stopIfAborted();
        if (requests.promote) break;
      } else {
        await bake(step.bakeMs);
        stopIfAborted();
        if (requests.promote) break;
        await judge('step');
      }
      if (step.requiresApproval) await awaitApproval(`to move on from ${step.weightPercent}%`);
      stopIfAborted();
    }
    if (requests.promote) note('promote_early', 'promoting now, skipping the remaining steps');
    else if (promotionRequiresApproval(input.strategy)) {
      await awaitApproval('to promote to 100%');
      stopIfAborted();
    }
    await holdWhilePaused();
    stopIfAborted();
    if (!watchesHealth && hasTrafficMoved && !requests.promote) await judge('promotion');

    enter('promoting');
    await setAlias(published.version, {}, 'promote to 100%');
    hasTrafficMoved = true;
    await verifyAlias(published.version, 'promotion');
    status.candidateWeightPercent = 100;
    note('promoted', `alias ${input.alias} is on version ${published.version} with no routing`);
    if (watchesHealth) await runValidationHook('afterTraffic');
    finish('succeeded');
    return status;
  } catch (error) {
    const failure: Failure =
      error instanceof ReleaseStop
        ? error.failure
        : isCancellation(error)
          ? stop(FailureType.Aborted, 'the release workflow was cancelled').failure
          : failureOf(error);
    status.lastError = {
      type: failure.type,
      isRetryable: false,
      message: failure.message,
      ...(failure.details ? { details: failure.details } : {}),
    };
    note('error', failure.message, { type: failure.type });

    // A conflict on the alias means someone else now acts on it: never roll back over their change.
    const isAliasTaken =
      failure.type === FailureType.AliasChangedOutside ||
      (failure.type === FailureType.Conflict && failure.details?.guard === 'aliasRevisionId');
    let isRolledBack = false;
    let endType = failure.type;
    if (hasTrafficMoved && !isAliasTaken && alias && status.stableVersion) {
      const stableVersion = status.stableVersion;
      // Cancelling a release must never cancel its rollback.
      const rollbackError = await CancellationScope.nonCancellable(async () => {
        enter('rolling_back');
        try {
          alias = await rollbackActivities.updateAlias({
            ...aliasRef,
            functionVersion: stableVersion,
            additionalVersionWeights: {},
            revisionId: alias!.revisionId,
            purpose: 'roll back',
          });
          await verifyAlias(stableVersion, 'rollback');
          status.candidateWeightPercent = 0;
          note(
            'rolled_back',
            `alias ${input.alias} is back on stable version ${stableVersion} with no routing`,
          );
          return undefined;
        } catch (rollbackFailure) {
          return rollbackFailure instanceof ReleaseStop
            ? rollbackFailure.failure
            : failureOf(rollbackFailure);
        }
      });
      if (rollbackError) {
        endType = FailureType.NeedsAttention;
        const message = `rollback to version ${stableVersion} did not complete: ${rollbackError.message}`;
        status.lastError = {
          type: FailureType.NeedsAttention,
          isRetryable: false,
          message,
          details: { cause: failure.message, ...rollbackError.details },
        };
        note('needs_attention', message);
      } else {
        isRolledBack = true;
      }
    } else if (hasTrafficMoved && !isAliasTaken && !status.stableVersion) {
      endType = FailureType.NeedsAttention;
      const message = `${failure.message}; there is no earlier version to roll back to, so the alias stays on version ${status.candidateVersion}`;
      status.lastError = { type: FailureType.NeedsAttention, isRetryable: false, message };
      note('needs_attention', message);
    } else if (isAliasTaken) {
      note('alias_left_alone', 'the alias was changed by someone else; Ramp wrote nothing more to it');
    }
    finish(outcomeForFailure(endType, isRolledBack));
    throw ApplicationFailure.create({
      type: endType,
      message: `release ${status.outcome}: ${status.lastError?.message ?? failure.message}`,
      nonRetryable: true,
      details: [status],
      ...(failure.cause ? { cause: failure.cause } : {}),
    });
  }
}
