/**
 * The people's side of a train: pause, resume, approve and abort. Requests are validated against the
 * status (a refused one is a 409 with the reason), recorded in the timeline and answered with a small
 * acknowledgement. The orchestration reads the resulting state and relays it to the child releases.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { FailureType } from '../../domain/failure-types.ts';
import { type ControlRequest, describeRequest } from '../../domain/release-state.ts';
import { type TrainControlAction, trainControlProblem } from '../../domain/train-state.ts';
import type { TrainStatus } from '../../domain/train-status.ts';
import { type TrainControlAck, trainControlUpdates, trainStatusQuery } from './messages.ts';

export class TrainControls {
  /** Set once; never overwritten (a second abort is refused). */
  abort: ControlRequest | undefined;
  /** An approval that arrived for the current wave gate; the gate consumes it. */
  isApproved = false;
  /** Who paused, for the requests relayed to the child releases. */
  pausedBy: ControlRequest = {};

  constructor(
    private readonly status: TrainStatus,
    private readonly note: (event: string, message: string) => void,
    private readonly phaseBeforePause: () => TrainStatus['phase'],
  ) {}

  register(): void {
    setHandler(trainStatusQuery, () => this.status);
    this.on('pause', (request) => {
      this.status.isPaused = true;
      this.pausedBy = request;
      this.status.phase = 'paused';
    });
    this.on('resume', () => {
      this.status.isPaused = false;
      this.status.phase = this.phaseBeforePause();
    });
    this.on('approve', () => {
      this.isApproved = true;
    });
    this.on('abort', (request) => {
      this.abort = request;
      if (this.status.isPaused) this.status.phase = this.phaseBeforePause();
      this.status.isPaused = false;
    });
  }

  private on(action: TrainControlAction, apply: (request: ControlRequest) => void): void {
    setHandler(
      trainControlUpdates[action],
      (request: ControlRequest): TrainControlAck => {
        apply(request);
        this.note(action, `${action} requested${describeRequest(request)}`);
        return {
          action,
          phase: this.status.phase,
          isPaused: this.status.isPaused,
          awaitingApproval: this.status.awaitingApproval,
        };
      },
      {
        validator: (_request: ControlRequest) => {
          const problem = trainControlProblem(this.status, action, this.abort);
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
