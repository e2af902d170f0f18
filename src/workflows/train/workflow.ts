/**
 * A train: one durable rollout of many releases in waves (docs/trains.md). Waves run in order; a wave's
 * targets run in parallel, at most `maxParallel` at once, each as the release workflow itself, a child
 * of the train. The train holds only its plan and each child's id and outcome, never the children's
 * details, so its history stays small (bench/train-history.ts measures it).
 *
 * On a failure anywhere the wave's other running releases are aborted (they roll back themselves); then
 * `rollback-train` puts every promoted target back on its previous version, newest first, each write
 * guarded by the RevisionId the promotion left (promotions.ts), while `stop` leaves earlier waves as
 * they are. An abort rolls everything back whatever the policy.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TrainActivities } from '../../activities/train-activities.ts';
import type { ControlRequest } from '../../domain/release-state.ts';
import type { ReleaseStatus, TimelineEntry } from '../../domain/release-status.ts';
import { rampOutcome, rampPhase } from '../../domain/search-attributes.ts';
import type { TrainInput } from '../../domain/train-input.ts';
import { initialTrainStatus, trainOutcomeOf } from '../../domain/train-state.ts';
import type { TrainPhase, TrainStatus } from '../../domain/train-status.ts';
import { type ChildRef, endedStatusOf, startRelease } from './children.ts';
import { TrainControls } from './controls.ts';
import { TrainNotifier } from './notifier.ts';
import { trainCall } from './options.ts';
import { label, Promotions } from './promotions.ts';
import { watchWave } from './wave-watch.ts';

const temporal = proxyActivities<TrainActivities>(trainCall);

/** A long train keeps a bounded timeline: how it began and the most recent entries. */
const maxTimelineEntries = 400;

export async function train(input: TrainInput): Promise<TrainStatus> {
  return new Train(input).run();
}

class Train {
  private readonly status: TrainStatus;
  private readonly controls: TrainControls;
  private readonly promotions: Promotions;
  private readonly trainId = workflowInfo().workflowId;
  /** The phase under a pause, restored on resume. */
  private basePhase: TrainPhase = 'starting';
  /** Why the train stopped moving forward; set once, by the first failure. */
  private failure: string | undefined;
  /** Promotions a failed health watch asked to undo, whatever the policy. */
  private readonly watchFailedKeys = new Set<string>();
  /** Child releases that have started and not yet ended, by `wave/target`. */
  private readonly running = new Map<string, ChildRef>();
  /** Targets taken from the queue and not yet ended (a start in flight counts). */
  private active = 0;

  private readonly notifier: TrainNotifier;

  constructor(private readonly input: TrainInput) {
    this.status = initialTrainStatus(this.trainId, input, this.now());
    this.notifier = new TrainNotifier(input, this.status, this.record);
    this.controls = new TrainControls(this.status, this.note, () => this.basePhase);
    this.controls.register();
    this.promotions = new Promotions(this.note);
  }

  // Date.now() in a workflow is the workflow clock, so replay sees the same time.
  private now = () => new Date(Date.now()).toISOString();

  private note = (event: string, message: string, details?: Record<string, unknown>) => {
    const entry = { at: this.now(), event, message, ...(details ? { details } : {}) };
    this.record(entry);
    this.notifier.hear(entry);
  };

  /** Straight to the timeline, not heard as an event (a delivery problem, a hand-over to the outbox). */
  private record = (entry: TimelineEntry) => {
    const timeline = this.status.timeline;
    timeline.push(entry);
    if (timeline.length > maxTimelineEntries) timeline.splice(20, timeline.length - maxTimelineEntries);
  };

  private enter(phase: TrainPhase): void {
    this.basePhase = phase;
    if (this.status.isPaused && phase !== 'rolling_back' && phase !== 'completed') return;
    if (this.status.phase === phase) return;
    this.status.phase = phase;
    upsertSearchAttributes({ [rampPhase.name]: [phase] });
  }

  private get isStopping(): boolean {
    return this.failure !== undefined || this.controls.abort !== undefined;
  }

  private fail(reason: string): void {
    if (this.failure === undefined) this.note('failure', reason);
    this.failure ??= reason;
  }

  async run(): Promise<TrainStatus> {
    const { input, status } = this;
    const waveCount = input.waves.length;
    const targetCount = input.waves.reduce((sum, wave) => sum + wave.targets.length, 0);
    this.note(
      'started',
      `train ${input.name}: ${targetCount} targets in ${waveCount} waves, on failure ${input.onFailure}${input.requestedBy ? `, requested by ${input.requestedBy}` : ''}`,
    );
    // The relays and each target run outside the train's cancellation: a train cancelled in Temporal
    // becomes an abort (children aborted, promotions reverted), never an abandoned child or promotion.
    CancellationScope.current().cancelRequested.catch(() => {
      this.controls.abort ??= { reason: 'the train was cancelled in Temporal' };
    });
    void CancellationScope.nonCancellable(() => this.relayPauses());
    void CancellationScope.nonCancellable(() => this.relayStop());
    try {
      for (const [index, wave] of input.waves.entries()) {
        if (this.isStopping) break;
        status.waveIndex = index;
        if (wave.requiresApproval) await this.awaitApproval(index);
        if (this.isStopping) break;
        await this.runWave(index);
        if (!this.isStopping && input.watchAfterWaveMs) await this.watch(index, input.watchAfterWaveMs);
        const waveStatus = status.waves[index];
        if (waveStatus) waveStatus.state = this.isStopping ? 'failed' : 'promoted';
        if (!this.isStopping) this.note('wave_promoted', `wave ${wave.name} promoted`);
      }
    } catch (error) {
      // Cancelled from Temporal: the children were cancelled with the train and roll back; so does the rest.
      if (!isCancellation(error)) throw error;
      this.controls.abort ??= { reason: 'the train was cancelled' };
    }
    await CancellationScope.nonCancellable(() => this.end());
    return status;
  }

  private async awaitApproval(index: number): Promise<void> {
    const wave = this.status.waves[index];
    if (!wave) return;
    wave.state = 'awaiting_approval';
    this.status.awaitingApproval = true;
    this.enter('awaiting_approval');
    this.note('awaiting_approval', `wave ${wave.name} waits for an approval`);
    await condition(() => this.controls.isApproved || this.isStopping);
    this.controls.isApproved = false;
    this.status.awaitingApproval = false;
  }

  private async runWave(index: number): Promise<void> {
    const wave = this.input.waves[index];
    const waveStatus = this.status.waves[index];
    if (!wave || !waveStatus) return;
    waveStatus.state = 'running';
    this.enter('running');
    this.note(
      'wave_started',
      `wave ${wave.name}: ${wave.targets.length} targets, ${wave.maxParallel ?? 'all'} at once`,
    );
    const maxParallel = wave.maxParallel ?? wave.targets.length;
    const runs: Promise<void>[] = [];
    for (const targetIndex of wave.targets.keys()) {
      await condition(() => this.isStopping || (!this.status.isPaused && this.active < maxParallel));
      if (this.isStopping) break;
      runs.push(CancellationScope.nonCancellable(() => this.runTarget(index, targetIndex)));
    }
    await Promise.all(runs);
  }

  private async runTarget(waveIndex: number, targetIndex: number): Promise<void> {
    const input = this.input.waves[waveIndex]?.targets[targetIndex];
    const target = this.status.waves[waveIndex]?.targets[targetIndex];
    if (!input || !target) return;
    const key = `${waveIndex}/${targetIndex}`;
    this.active++;
    try {
      target.phase = 'starting';
      const started = await startRelease(input, this.trainId);
      if (!started.isStarted) {
        Object.assign(target, { outcome: 'conflict', phase: 'completed', message: started.message });
        this.fail(`${label(target)}: ${started.message}`);
        return;
      }
      target.releaseId = started.ref.releaseId;
      this.running.set(key, started.ref);
      this.note('target_started', `${label(target)}: release ${started.ref.releaseId}`);
      // A stop or pause that arrived while this child was starting reaches it now.
      if (this.isStopping) await this.control(started.ref, 'abort', this.stopRequest());
      else if (this.status.isPaused) await this.control(started.ref, 'pause', this.controls.pausedBy);

      let released: ReleaseStatus | undefined;
      let message = '';
      try {
        released = await started.handle.result();
      } catch (error) {
        ({ status: released, message } = endedStatusOf(error));
      }
      this.running.delete(key);
      target.phase = 'completed';
      target.outcome = released?.outcome ?? 'failed';
      target.stableVersion = released?.stableVersion ?? null;
      target.candidateVersion = released?.candidateVersion ?? null;
      target.candidateWeightPercent = released?.candidateWeightPercent ?? 0;
      if (released && target.outcome === 'succeeded') {
        await this.promotions.record(key, input, target, released, released.endedAt ?? this.now());
        this.note('target_promoted', `${label(target)}: on version ${target.candidateVersion}`);
      } else {
        target.message = released?.lastError?.message ?? message;
        this.fail(`${label(target)}: release ${target.outcome}: ${target.message}`);
      }
    } finally {
      this.active--;
    }
  }

  private async watch(index: number, watchMs: number): Promise<void> {
    const waveStatus = this.status.waves[index];
    if (!waveStatus) return;
    waveStatus.state = 'watching';
    this.enter('watching');
    const wavePromotions = this.promotions.inPlace().filter((p) => p.key.startsWith(`${index}/`));
    this.note('watching', `wave ${waveStatus.name}: watching ${wavePromotions.length} targets' health`);
    const failures = await watchWave(wavePromotions, watchMs, () => this.isStopping);
    if (failures.length === 0) return;
    for (const promotion of wavePromotions) this.watchFailedKeys.add(promotion.key);
    for (const failure of failures) failure.promotion.target.message = failure.message;
    this.fail(`health watch after wave ${waveStatus.name}: ${failures.map((f) => f.message).join('; ')}`);
  }

  /** Relays the train's pause and resume to every running child release. */
  private async relayPauses(): Promise<void> {
    let relayed = false;
    for (;;) {
      await condition(() => this.status.isPaused !== relayed || this.status.outcome !== null);
      if (this.status.outcome !== null) return;
      relayed = this.status.isPaused;
      const action = relayed ? 'pause' : 'resume';
      await Promise.all(
        [...this.running.values()].map((ref) => this.control(ref, action, this.controls.pausedBy)),
      );
    }
  }

  /** On the first failure or an abort, every running child release is aborted (and rolls back). */
  private async relayStop(): Promise<void> {
    await condition(() => this.isStopping);
    await Promise.all(
      [...this.running.values()].map((ref) => this.control(ref, 'abort', this.stopRequest())),
    );
  }

  private stopRequest(): ControlRequest {
    const abort = this.controls.abort;
    const why = abort
      ? `train aborted${abort.reason ? `: ${abort.reason}` : ''}`
      : `train stopped: ${this.failure}`;
    return { by: abort?.by ?? `train ${this.input.name}`, reason: why };
  }

  private async control(ref: ChildRef, action: 'pause' | 'resume' | 'abort', request: ControlRequest) {
    const result = await temporal.controlChildRelease({
      workflowId: ref.workflowId,
      runId: ref.runId,
      action,
      request: { ...request, by: request.by ?? `train ${this.input.name}` },
    });
    if (!result.isApplied) this.note('control_refused', `${action} of ${ref.releaseId}: ${result.message}`);
  }

  private async end(): Promise<void> {
    const { status } = this;
    await condition(() => this.running.size === 0 && this.active === 0);
    for (const wave of status.waves) {
      for (const target of wave.targets) {
        if (target.outcome === null) Object.assign(target, { outcome: 'not_started', phase: 'completed' });
      }
      if (wave.state === 'pending') wave.state = 'skipped';
    }
    if (this.isStopping) {
      this.enter('rolling_back');
      const inPlace = this.promotions.inPlace();
      const shouldRevertAll = this.controls.abort !== undefined || this.input.onFailure === 'rollback-train';
      const toRevert = shouldRevertAll ? inPlace : inPlace.filter((p) => this.watchFailedKeys.has(p.key));
      if (toRevert.length > 0)
        this.note('rolling_back', `putting ${toRevert.length} promoted targets back, newest first`);
      await this.promotions.revert(toRevert);
      for (const wave of status.waves) {
        const moved = wave.targets.filter((t) => t.outcome !== 'not_started');
        if (moved.length > 0 && moved.every((t) => t.outcome === 'rolled_back')) wave.state = 'rolled_back';
      }
    }
    const outcome = trainOutcomeOf(status, this.promotions.inPlace().length);
    status.outcome = outcome;
    status.isPaused = false;
    status.awaitingApproval = false;
    status.endedAt = this.now();
    this.enter('completed');
    upsertSearchAttributes({ [rampOutcome.name]: [outcome] });
    this.note('ended', `train ${outcome}${this.failure ? `: ${this.failure}` : ''}`);
    await this.notifier.drain();
    await condition(allHandlersFinished);
  }
}
