/**
 * One release of one function alias: preflight, update the code, wait, publish, shift traffic step by
 * step with watched bakes and approvals, then promote or roll back. Durable: every step survives worker
 * crashes and restarts, and a bake of days costs nothing while it sleeps.
 *
 * The invariants this file keeps (docs/reliability.md):
 * I1 the alias is 100 % stable, stable + candidate at a planned weight, or 100 % candidate, and never
 *    split once the workflow has ended; I2 one writer, every write guarded (alias-writer.ts); I3 one
 *    outcome, `succeeded` only after a read-back; I4 retries leave the state one attempt leaves (the
 *    activities recognise their own earlier effects); I5 histories replay (legacy.ts, patches); I6
 *    health is watched whenever the candidate takes traffic (health-watch.ts, bake.ts).
 * The decisions are pure functions in src/domain; this file orders the steps.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  patched,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { FailureType } from '../../domain/failure-types.ts';
import { releaseWarnings } from '../../domain/health-checks.ts';
import { describeAlias } from '../../domain/lambda-state.ts';
import { releaseIdOf } from '../../domain/release-id.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import { planOf, type ReleasePlan } from '../../domain/release-plan.ts';
import { appendTimeline, describeRequest, initialStatus } from '../../domain/release-state.ts';
import type { ReleaseOutcome, ReleasePhase, ReleaseStatus } from '../../domain/release-status.ts';
import { rampOutcome, rampPhase } from '../../domain/search-attributes.ts';
import { describePlan } from '../../domain/strategies.ts';
import { AliasWriter } from './alias-writer.ts';
import { Waits } from './bake.ts';
import { ReleaseControls } from './controls.ts';
import { endFailedRelease } from './ending.ts';
import { stop } from './failures.ts';
import { HealthWatch } from './health-watch.ts';
import { legacyRelease } from './legacy.ts';
import { releaseSafetyPatch } from './messages.ts';
import { controlPlane, hookCall, polling } from './options.ts';

const lambda = proxyActivities<ReleaseActivities>(controlPlane);
const defaultUpdateTimeoutMs = 15 * 60_000;

export async function release(input: ReleaseInput): Promise<ReleaseStatus> {
  // Releases recorded before the restructure finish on the code they began with.
  if (!patched(releaseSafetyPatch)) return legacyRelease(input);
  return new Release(input).run();
}

class Release {
  private readonly status: ReleaseStatus;
  private readonly controls: ReleaseControls;
  private readonly writer: AliasWriter;
  private readonly health: HealthWatch;
  private readonly waits: Waits;
  private readonly ref: { functionName: string; region: string };

  constructor(private readonly input: ReleaseInput) {
    const info = workflowInfo();
    this.ref = { functionName: input.functionName, region: input.region };
    this.status = initialStatus({
      releaseId: releaseIdOf(info.workflowId, info.runId),
      functionName: input.functionShortName,
      alias: input.alias,
      region: input.region,
      stepCount: input.plan?.steps.length ?? 0,
      startedAt: this.now(),
    });
    this.controls = new ReleaseControls(this.status, this.note);
    this.controls.register();
    this.writer = new AliasWriter({ ...this.ref, alias: input.alias });
    this.health = new HealthWatch(input, this.status, this.note);
    this.waits = new Waits(input, this.status, this.controls, this.health, this.note, this.enter);
  }

  // Date.now() in a workflow is the workflow clock (the sandbox replaces it), so replay sees the same time.
  private now = () => new Date(Date.now()).toISOString();

  private note = (event: string, message: string, details?: Record<string, unknown>) =>
    appendTimeline(this.status, { at: this.now(), event, message, ...(details ? { details } : {}) });

  private enter = (phase: ReleasePhase) => {
    if (this.status.phase === phase) return;
    this.status.phase = phase;
    upsertSearchAttributes({ [rampPhase.name]: [phase] });
  };

  async run(): Promise<ReleaseStatus> {
    let failure: ApplicationFailure | undefined;
    try {
      // Inside the try: a plan that cannot be computed ends the release, it does not retry the task.
      const plan = this.input.plan ?? planOf(this.input.strategy);
      this.status.plan = plan;
      this.status.stepCount = plan.steps.length;
      await this.deliver(plan);
      this.finish('succeeded');
    } catch (error) {
      failure = await this.end(error);
    }
    // Non-cancellable: a cancelled release still ends with its outcome, not as a bare cancellation.
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if (failure) throw failure;
    return this.status;
  }

  private async deliver(plan: ReleasePlan): Promise<void> {
    const { input, status, controls, writer, health, waits } = this;
    const aliasRef = { ...this.ref, alias: input.alias };
    this.note(
      'started',
      `release of ${input.functionShortName}:${input.alias} in ${input.region}: ${describePlan(plan.steps)}${input.requestedBy ? `, requested by ${input.requestedBy}` : ''}`,
    );
    for (const warning of releaseWarnings(plan, input.health)) this.note('warning', warning);

    await this.preflight();
    const target = await lambda.readTarget(aliasRef);
    writer.adopt(target.alias);
    status.stableVersion = target.alias?.functionVersion ?? null;
    if (target.alias && Object.values(target.alias.additionalVersionWeights).some((w) => w > 0)) {
      throw stop(
        FailureType.Conflict,
        `the alias is already shifting traffic (${describeAlias(target.alias)}): another deployment is in progress; Ramp touched nothing`,
        { guard: 'aliasRevisionId', aliasNow: target.alias },
      );
    }

    await waits.holdWhilePaused();
    this.stopIfAborted();
    this.enter('updating_code');
    const update = await lambda.updateFunctionCode({
      ...this.ref,
      code: input.code,
      revisionId: input.expectedRevisionId ?? target.revisionId,
    });
    this.note(
      'code_updated',
      `UpdateFunctionCode accepted (CodeSha256 ${update.codeSha256})${update.isRecovered ? '; found in place after a lost response' : ''}`,
    );
    const { waitForUpdate } = proxyActivities<ReleaseActivities>(
      polling(input.updateTimeoutMs ?? defaultUpdateTimeoutMs),
    );
    const settled = await this.abortable(() =>
      waitForUpdate({ ...this.ref, timeoutMs: input.updateTimeoutMs ?? defaultUpdateTimeoutMs }),
    );
    this.note('update_settled', 'LastUpdateStatus is Successful');

    await waits.holdWhilePaused();
    this.stopIfAborted();
    this.enter('publishing');
    // Recorded in the history before the publish, so a retry after a lost answer tells its own new
    // version from the ones that existed (invariant I4) without guessing.
    const versionsBefore = await this.abortable(() => lambda.listVersions(this.ref));
    const published = await this.abortable(() =>
      lambda.publishVersion({
        ...this.ref,
        codeSha256: update.codeSha256,
        revisionId: settled.revisionId,
        versionsBefore,
        ...(input.description ? { description: input.description } : {}),
      }),
    );
    const candidate = published.version;
    status.candidateVersion = candidate;
    this.note(
      'version_published',
      published.isExisting
        ? `Lambda returned the existing version ${candidate}: nothing changed since it was published`
        : `published version ${candidate}`,
      { version: candidate, isExisting: published.isExisting },
    );

    if (writer.alias?.functionVersion !== candidate) await this.runHook('beforeTraffic');
    this.stopIfAborted();
    if (!writer.alias) {
      this.enter('promoting');
      await writer.create(candidate, input.description);
      health.trafficMovedAt = this.now();
      status.candidateWeightPercent = 100;
      await writer.verify(candidate, 'creating the alias');
      this.note('alias_created', `first release: created alias ${input.alias} on version ${candidate}`);
      await this.runHook('afterTraffic');
      return;
    }
    if (writer.alias.functionVersion === candidate) {
      await writer.verify(candidate, 'finding the alias on the version');
      status.candidateWeightPercent = 100;
      this.note('no_change', `the alias already points at version ${candidate}; no traffic to shift`);
      return;
    }

    const stableVersion = writer.alias.functionVersion;
    for (const [index, step] of plan.steps.entries()) {
      await waits.holdWhilePaused();
      this.stopIfAborted();
      if (controls.isPromotingFully) break;
      await health.freshVerdict(`the shift to ${step.weightPercent}%`);
      status.stepIndex = index;
      this.enter('shifting');
      await writer.shift(stableVersion, candidate, step.weightPercent);
      health.trafficMovedAt ??= this.now();
      status.candidateWeightPercent = step.weightPercent;
      this.note('weight_set', `version ${candidate} takes ${step.weightPercent}% of ${input.alias}`, {
        weightPercent: step.weightPercent,
      });
      this.enter('baking');
      await waits.bake(step.bakeMs);
      this.stopIfAborted();
      if (this.takeStepPromotion() || controls.isPromotingFully) continue;
      if (step.requiresApproval) {
        await waits.awaitApproval(`to move on from ${step.weightPercent}%`);
        this.stopIfAborted();
        this.takeStepPromotion();
      }
    }
    if (controls.isPromotingFully) this.note('promote_early', 'promoting now, skipping the remaining steps');
    else if (plan.promotionRequiresApproval) {
      await waits.awaitApproval('to promote to 100%');
      this.stopIfAborted();
      this.takeStepPromotion();
    }
    await waits.holdWhilePaused();
    this.stopIfAborted();
    await health.freshVerdict('promotion');
    this.enter('promoting');
    await writer.promote(candidate);
    await writer.verify(candidate, 'promotion');
    status.candidateWeightPercent = 100;
    this.note('promoted', `alias ${input.alias} is on version ${candidate} with no routing`);
    await this.runHook('afterTraffic');
  }

  /** Read-only checks before any write; every problem is listed and nothing is changed. */
  private async preflight(): Promise<void> {
    const input = this.input;
    const checked = await lambda.preflight({
      ...this.ref,
      alias: input.alias,
      code: input.code,
      createAlias: input.createAlias === true,
      ...(input.health ? { health: input.health } : {}),
    });
    for (const warning of checked.warnings) this.note('warning', warning);
    if (checked.problems.length > 0) {
      throw stop(
        FailureType.Rejected,
        `preflight: ${checked.problems.map((problem) => problem.message).join('; ')}. Nothing was changed.`,
        { problems: checked.problems },
      );
    }
  }

  /** A promotion to the next step ends the wait it arrived in; it is spent once it has. */
  private takeStepPromotion(): boolean {
    const request = this.controls.promote;
    if (!request || request.full) return false;
    this.controls.promote = undefined;
    this.note('promote_step', `moving on to the next step as requested${describeRequest(request)}`);
    return true;
  }

  private stopIfAborted(): void {
    const request = this.controls.abort;
    if (request) throw stop(FailureType.Aborted, `aborted${describeRequest(request)}`);
  }

  /** Runs a long step that changes no traffic (update wait, publish), giving it up within a second of an abort. */
  private async abortable<T>(work: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope();
    const running = scope.run(work);
    const aborted = Symbol('aborted');
    const first = await Promise.race([running, this.controls.whenAborted().then(() => aborted)]);
    if (first === aborted) {
      scope.cancel();
      await running.catch(() => undefined);
      this.stopIfAborted();
    }
    return first as T;
  }

  private async runHook(stage: 'beforeTraffic' | 'afterTraffic'): Promise<void> {
    const hooks = this.input.health?.hooks;
    const hook = hooks?.[stage];
    if (!hooks || !hook) return;
    const { runValidationHook } = proxyActivities<ReleaseActivities>(hookCall(hooks.timeoutMs));
    const verdict = await runValidationHook({
      hook,
      timeoutMs: hooks.timeoutMs,
      payload: {
        releaseId: this.status.releaseId,
        stage,
        functionName: this.input.functionName,
        alias: this.input.alias,
        region: this.input.region,
        candidateVersion: this.status.candidateVersion ?? '',
        stableVersion: this.status.stableVersion,
      },
    });
    this.note('hook_verdict', `${stage}: ${verdict.message}`, { verdict });
    if (verdict.status === 'fail')
      throw this.health.unhealthy(`${stage} hook failed: ${verdict.message}`, verdict);
  }

  private finish(outcome: ReleaseOutcome): void {
    const status = this.status;
    status.outcome = outcome;
    status.awaitingApproval = false;
    status.isPaused = false;
    status.bakeEndsAt = null;
    status.approvalEndsAt = null;
    status.pauseEndsAt = null;
    status.endedAt = this.now();
    this.enter('completed');
    upsertSearchAttributes({ [rampOutcome.name]: [outcome] });
  }

  /** Ends a failed release (ending.ts decides how) and returns the failure the workflow ends with. */
  private async end(error: unknown): Promise<ApplicationFailure> {
    const { failure, endType, outcome } = await endFailedRelease(
      {
        status: this.status,
        writer: this.writer,
        alias: this.input.alias,
        note: this.note,
        enter: this.enter,
      },
      error,
    );
    this.finish(outcome);
    return ApplicationFailure.create({
      type: endType,
      message: `release ${outcome}: ${this.status.lastError?.message ?? failure.message}`,
      nonRetryable: true,
      details: [this.status],
      ...(failure.cause ? { cause: failure.cause } : {}),
    });
  }
}
