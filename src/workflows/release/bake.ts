/**
 * The release's waits: bakes, approval gates and pauses. Each is measured in time the release is not
 * paused, ends early on abort or promote, and keeps health watched while the candidate takes traffic: a
 * pause holds the plan, never the safety net.
 */
import { FailureType } from '../../domain/failure-types.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleasePhase, ReleaseStatus } from '../../domain/release-status.ts';
import type { ReleaseControls } from './controls.ts';
import { stop } from './failures.ts';
import type { HealthWatch, Note } from './health-watch.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export class Waits {
  constructor(
    private readonly input: ReleaseInput,
    private readonly status: ReleaseStatus,
    private readonly controls: ReleaseControls,
    private readonly health: HealthWatch,
    private readonly note: Note,
    private readonly enter: (phase: ReleasePhase) => void,
  ) {}

  private get maxPauseMs(): number {
    return this.input.maxPauseMs ?? this.input.approvalTimeoutMs;
  }

  /**
   * Holds while the release is paused, watching health if the candidate takes traffic. A pause longer
   * than its maximum rolls the release back: nobody is deciding any more.
   */
  async holdWhilePaused(): Promise<void> {
    if (!this.status.isPaused) return;
    const resumeTo = this.status.phase;
    this.enter('paused');
    const endsAt = Date.now() + this.maxPauseMs;
    this.status.pauseEndsAt = iso(endsAt);
    const isOver = () => !this.status.isPaused || this.controls.isInterrupted;
    while (!isOver() && Date.now() < endsAt) {
      await this.health.watch(endsAt - Date.now(), isOver);
    }
    this.status.pauseEndsAt = null;
    if (!isOver()) {
      throw stop(
        FailureType.PauseTimedOut,
        `paused for longer than the maximum pause (${Math.round(this.maxPauseMs / 1000)} s); rolling back`,
      );
    }
    this.enter(resumeTo);
  }

  /** Bakes for `bakeMs` of unpaused time, watching health; returns early on abort or promote. */
  async bake(bakeMs: number): Promise<void> {
    let remainingMs = bakeMs;
    let hasExtended = false;
    const isInterruptedOrPaused = () => this.status.isPaused || this.controls.isInterrupted;
    while (!this.controls.isInterrupted) {
      if (this.status.isPaused) {
        this.status.bakeEndsAt = null;
        await this.holdWhilePaused();
        continue;
      }
      const startedAt = Date.now();
      this.status.bakeEndsAt = iso(startedAt + Math.max(0, remainingMs));
      const result = await this.health.watch(remainingMs, isInterruptedOrPaused);
      remainingMs -= Date.now() - startedAt;
      if (result === undefined) continue;
      if (result.checksRun > 0) {
        this.note('health_verdict', `${result.status} after ${result.checksRun} checks: ${result.message}`, {
          verdict: result,
        });
      }
      const policy = this.input.health?.metrics?.insufficientTraffic;
      if (result.status === 'inconclusive' && policy !== undefined && policy !== 'pass') {
        if (policy === 'wait' && !hasExtended) {
          hasExtended = true;
          remainingMs = Math.max(bakeMs, this.health.intervalMs);
          this.note(
            'bake_extended',
            `no verdict yet (${result.message}); watching for another ${remainingMs} ms`,
          );
          continue;
        }
        throw this.health.unhealthy(`no verdict: ${result.message}`, result);
      }
      // The monitor returns early only on a failing verdict (thrown above): this is the bake's end.
      break;
    }
    this.status.bakeEndsAt = null;
  }

  /**
   * Waits for an approval. The approval clock stops while the release is paused; health stays watched.
   * Returns when approved, or early on abort or promote (the caller decides what those mean).
   */
  async awaitApproval(what: string): Promise<void> {
    this.status.awaitingApproval = true;
    this.enter('awaiting_approval');
    this.note('awaiting_approval', `waiting for approval ${what}`);
    let remainingMs = this.input.approvalTimeoutMs;
    const isDecided = () => this.controls.isApproved || this.controls.isInterrupted;
    while (!isDecided()) {
      if (this.status.isPaused) {
        this.status.approvalEndsAt = null;
        await this.holdWhilePaused();
        continue;
      }
      if (remainingMs <= 0) {
        this.status.awaitingApproval = false;
        this.status.approvalEndsAt = null;
        throw stop(FailureType.ApprovalTimedOut, `no approval ${what} within the approval timeout`);
      }
      const startedAt = Date.now();
      this.status.approvalEndsAt = iso(startedAt + remainingMs);
      await this.health.watch(remainingMs, () => isDecided() || this.status.isPaused);
      remainingMs -= Date.now() - startedAt;
    }
    this.status.awaitingApproval = false;
    this.status.approvalEndsAt = null;
    this.controls.isApproved = false;
  }
}
