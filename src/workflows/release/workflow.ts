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
  type ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { releaseWarnings } from '../../domain/health-checks.ts';
import { releaseIdOf } from '../../domain/release-id.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import { planOf, type ReleasePlan } from '../../domain/release-plan.ts';
import { appendTimeline, initialStatus } from '../../domain/release-state.ts';
import type { ReleasePhase, ReleaseStatus } from '../../domain/release-status.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import { rampPhase } from '../../domain/search-attributes.ts';
import { describePlan } from '../../domain/strategies.ts';
import { AliasWriter } from './alias-writer.ts';
import { Waits } from './bake.ts';
import { type CandidateSteps, preflight, publishCandidate, readStartingPoint } from './candidate.ts';
import { ReleaseControls } from './controls.ts';
import { endRelease, finish } from './ending.ts';
import { HealthWatch } from './health-watch.ts';
import { type HookStage, runHook } from './hooks.ts';
import { legacyRelease } from './legacy.ts';
import { lambdaBudgetPatch, leanStartPatch, releaseSafetyPatch } from './messages.ts';
import { Notifier } from './notifier.ts';
import { controlPlane, workerLookup } from './options.ts';
import { probeBeforeTraffic } from './pre-traffic-probes.ts';

const { lambdaBudgetQueue } = proxyActivities<ReleaseActivities>(controlPlane);
const { lambdaBudgetQueue: lambdaBudgetQueueHere } = proxyLocalActivities<ReleaseActivities>(workerLookup);

export async function release(input: ReleaseInput): Promise<ReleaseStatus> {
  // Releases recorded before the restructure finish on the code they began with.
  if (!patched(releaseSafetyPatch)) return legacyRelease(input);
  return new Release(input).run();
}

class Release {
  readonly status: ReleaseStatus;
  private readonly controls: ReleaseControls;
  readonly writer: AliasWriter;
  readonly health: HealthWatch;
  private readonly waits: Waits;
  private readonly steps: CandidateSteps;
  private readonly notifier: Notifier;

  constructor(readonly input: ReleaseInput) {
    const info = workflowInfo();
    this.status = initialStatus({
      releaseId: releaseIdOf(info.workflowId, info.runId),
      functionName: input.functionShortName,
      alias: input.alias,
      region: input.region,
      stepCount: input.plan?.steps.length ?? 0,
      startedAt: this.now(),
    });
    // Structured copies of what the timeline says in words; only the query's answer and the result change,
    // never a command, so recorded histories replay as before.
    this.status.requestedBy = input.requestedBy ?? null;
    this.status.codeSha256 = null;
    this.notifier = new Notifier(input, this.status);
    this.controls = new ReleaseControls(this.status, this.note);
    this.controls.register();
    this.writer = new AliasWriter({
      functionName: input.functionName,
      region: input.region,
      alias: input.alias,
      ...roleFieldsOf(input),
    });
    this.health = new HealthWatch(input, this.status, this.note);
    this.waits = new Waits(input, this.status, this.controls, this.health, this.note, this.enter);
    this.steps = {
      input,
      controls: this.controls,
      note: this.note,
      enter: this.enter,
      holdWhilePaused: this.hold,
      onCodeUpdated: (codeSha256) => {
        this.status.codeSha256 = codeSha256;
      },
    };
  }

  // Date.now() in a workflow is the workflow clock (the sandbox replaces it), so replay sees the same time.
  readonly now = () => new Date(Date.now()).toISOString();

  readonly note = (event: string, message: string, details?: Record<string, unknown>) => {
    const entry = { at: this.now(), event, message, ...(details ? { details } : {}) };
    appendTimeline(this.status, entry);
    this.notifier.hear(entry);
  };

  readonly enter = (phase: ReleasePhase) => {
    if (this.status.phase === phase) return;
    this.status.phase = phase;
    upsertSearchAttributes({ [rampPhase.name]: [phase] });
  };

  private hold = () => this.waits.holdWhilePaused();

  private hook = (stage: HookStage) => runHook(this, stage);

  async run(): Promise<ReleaseStatus> {
    let failure: ApplicationFailure | undefined;
    try {
      // Inside the try: a plan that cannot be computed ends the release, it does not retry the task.
      const plan = this.input.plan ?? planOf(this.input.strategy);
      this.status.plan = plan;
      this.status.stepCount = plan.steps.length;
      await this.deliver(plan);
      finish(this, 'succeeded');
    } catch (error) {
      failure = await endRelease(this, error);
    }
    await this.notifier.drain();
    // Non-cancellable: a cancelled release still ends with its outcome, not as a bare cancellation.
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if (failure) throw failure;
    return this.status;
  }

  get alias(): string {
    return this.input.alias;
  }

  private async deliver(plan: ReleasePlan): Promise<void> {
    const { input, status, writer, health } = this;
    this.note(
      'started',
      `release of ${input.functionShortName}:${input.alias} in ${input.region}: ${describePlan(plan.steps)}${input.requestedBy ? `, requested by ${input.requestedBy}` : ''}`,
    );
    for (const warning of releaseWarnings(plan, input.health)) this.note('warning', warning);
    const lean = patched(leanStartPatch);
    await this.routeBudgetedLambdaCalls(lean);
    const read = await preflight(this.steps);
    const target = await readStartingPoint(this.steps, writer, lean ? read : undefined);
    status.stableVersion = target.alias?.functionVersion ?? null;
    const candidate = (await publishCandidate(this.steps, target.revisionId)).version;
    status.candidateVersion = candidate;

    if (writer.alias?.functionVersion !== candidate) await this.hook('beforeTraffic');
    if (writer.alias?.functionVersion !== candidate) await probeBeforeTraffic(this);
    this.controls.stopIfAborted();
    if (!writer.alias) {
      this.enter('promoting');
      await writer.create(candidate, input.description);
      health.trafficMovedAt = this.now();
      status.candidateWeightPercent = 100;
      await writer.verify(candidate, 'creating the alias');
      status.aliasRevisionId = writer.revisionId;
      this.note('alias_created', `first release: created alias ${input.alias} on version ${candidate}`);
      await this.hook('afterTraffic');
      return;
    }
    if (writer.alias.functionVersion === candidate) {
      await writer.verify(candidate, 'finding the alias on the version');
      status.aliasRevisionId = writer.revisionId;
      status.candidateWeightPercent = 100;
      this.note('no_change', `the alias already points at version ${candidate}; no traffic to shift`);
      return;
    }
    await this.shiftAndPromote(plan, writer.alias.functionVersion, candidate);
  }

  /**
   * Lambda calls that count against the account's shared quota go to the region's budgeted task queue,
   * which Temporal rate-limits across every worker (docs/scale.md). GetFunction polling stays here.
   */
  private async routeBudgetedLambdaCalls(lean: boolean): Promise<void> {
    if (!patched(lambdaBudgetPatch)) return;
    const { taskQueue } = await (lean ? lambdaBudgetQueueHere : lambdaBudgetQueue)({
      region: this.input.region,
      ...roleFieldsOf(this.input),
    });
    if (!taskQueue) return;
    this.steps.lambdaQueue = taskQueue;
    this.writer.routeTo(taskQueue);
  }

  /** The plan's steps, each shift preceded by a fresh verdict and followed by its watched bake and gate. */
  private async shiftAndPromote(plan: ReleasePlan, stableVersion: string, candidate: string): Promise<void> {
    const { input, status, controls, writer, health, waits } = this;
    for (const [index, step] of plan.steps.entries()) {
      await waits.holdWhilePaused();
      controls.stopIfAborted();
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
      controls.stopIfAborted();
      if (controls.takeStepPromotion() || controls.isPromotingFully) continue;
      if (step.requiresApproval) {
        await waits.awaitApproval(`to move on from ${step.weightPercent}%`);
        controls.stopIfAborted();
        controls.takeStepPromotion();
      }
    }
    if (controls.isPromotingFully) this.note('promote_early', 'promoting now, skipping the remaining steps');
    else if (plan.promotionRequiresApproval) {
      await waits.awaitApproval('to promote to 100%');
      controls.stopIfAborted();
      controls.takeStepPromotion();
    }
    await waits.holdWhilePaused();
    controls.stopIfAborted();
    await health.freshVerdict('promotion');
    this.enter('promoting');
    await writer.promote(candidate);
    await writer.verify(candidate, 'promotion');
    status.aliasRevisionId = writer.revisionId;
    status.candidateWeightPercent = 100;
    this.note('promoted', `alias ${input.alias} is on version ${candidate} with no routing`);
    await this.hook('afterTraffic');
  }
}
