/**
 * The people's side of a release: pause, resume, approve, promote and abort. Requests are validated
 * against the status and against earlier decisions (a second abort, a promote after an abort: 409 with
 * the reason), recorded in the timeline, and answered with a small acknowledgement. The orchestration
 * reads the resulting state; it never reads the handlers.
 */
import { ApplicationFailure, CancellationScope, condition, setHandler } from '@temporalio/workflow';
import { FailureType } from '../../domain/failure-types.ts';
import {
  type ControlAction,
  type ControlDecisions,
  type ControlRequest,
  controlProblem,
  describeRequest,
} from '../../domain/release-state.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';
import { stop } from './failures.ts';
import { type ControlAck, controlUpdates, statusQuery } from './messages.ts';

export class ReleaseControls {
  /** Set once; never overwritten (a second abort is refused). */
  abort: ControlRequest | undefined;
  /** A pending promotion: to the next step, or (`full`) to 100 % at once. Cleared once carried out. */
  promote: ControlRequest | undefined;
  /** An approval that arrived for the current gate; the gate consumes it. */
  isApproved = false;

  constructor(
    private readonly status: ReleaseStatus,
    private readonly note: (event: string, message: string) => void,
  ) {}

  get decisions(): ControlDecisions {
    return { abort: this.abort, promote: this.promote };
  }

  /** Abort or a promotion asks the current wait (bake, approval, pause) to end now. */
  get isInterrupted(): boolean {
    return this.abort !== undefined || this.promote !== undefined;
  }

  get isPromotingFully(): boolean {
    return this.promote?.full === true;
  }

  /** Resolves as soon as an abort arrives; used to stop long activities within about a second. */
  whenAborted(): Promise<void> {
    return condition(() => this.abort !== undefined);
  }

  /** Ends the release here if an abort has arrived. */
  stopIfAborted(): void {
    if (this.abort) throw stop(FailureType.Aborted, `aborted${describeRequest(this.abort)}`);
  }

  /** Runs a long step that changes no traffic (update wait, publish), giving it up within a second of an abort. */
  async abortable<T>(work: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope();
    const running = scope.run(work);
    const aborted = Symbol('aborted');
    const first = await Promise.race([running, this.whenAborted().then(() => aborted)]);
    if (first === aborted) {
      scope.cancel();
      await running.catch(() => undefined);
      this.stopIfAborted();
    }
    return first as T;
  }

  /** A promotion to the next step ends the wait it arrived in; it is spent once it has. */
  takeStepPromotion(): boolean {
    const request = this.promote;
    if (!request || request.full) return false;
    this.promote = undefined;
    this.note('promote_step', `moving on to the next step as requested${describeRequest(request)}`);
    return true;
  }

  register(): void {
    setHandler(statusQuery, () => this.status);
    this.on('pause', () => {
      this.status.isPaused = true;
    });
    this.on('resume', () => {
      this.status.isPaused = false;
    });
    this.on('approve', () => {
      this.isApproved = true;
    });
    this.on('promote', (request) => {
      this.promote = request;
      // A promotion ends a pause: the person decided to move on.
      this.status.isPaused = false;
    });
    this.on('abort', (request) => {
      this.abort = request;
      this.status.isPaused = false;
    });
  }

  private on(action: ControlAction, apply: (request: ControlRequest) => void): void {
    setHandler(
      controlUpdates[action],
      (request: ControlRequest): ControlAck => {
        apply(request);
        const what =
          action === 'promote' ? (request.full ? 'full promotion' : 'promotion to the next step') : action;
        this.note(action, `${what} requested${describeRequest(request)}`);
        return {
          action,
          phase: this.status.phase,
          isPaused: this.status.isPaused,
          awaitingApproval: this.status.awaitingApproval,
          candidateWeightPercent: this.status.candidateWeightPercent,
          stepIndex: this.status.stepIndex,
        };
      },
      {
        validator: (_request: ControlRequest) => {
          const problem = controlProblem(this.status, action, this.decisions);
          if (problem)
            throw ApplicationFailure.create({
              type: FailureType.InvalidState,
              message: `cannot ${action}: ${problem}`,
              nonRetryable: true,
            });
        },
      },
    );
  }
}
