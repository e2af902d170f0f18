/**
 * Workflow updates that a workflow task failure on the server cannot lose.
 *
 * An update is delivered to the workflow inside a workflow task. When the server rejects that task's
 * completion (for example `UnhandledCommand`: the workflow tried to close while an activity result arrived
 * during the task), the workflow is rewound to its last completed task, and an update it had seen but not yet
 * durably accepted is dropped. The server answers its caller `FAILED_PRECONDITION` ("Unable to perform
 * workflow execution update due to unexpected workflow task failure") and leaves the retry to the client
 * (temporalio/temporal#7296). Without one, an abort issued at that moment answers an error and never happens.
 *
 * So the update is sent again, under the same update id: the server deduplicates by id, so an update that
 * was in fact accepted is answered with its outcome, never applied twice.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { GrpcStatus, grpcCodeOf } from './grpc-status.ts';

export interface UpdateRetryOptions {
  /** Sends in all, the first included. */
  attempts?: number;
  /** Wait before the second send; doubled for each one after. */
  firstDelayMs?: number;
}

/** Whether the server dropped the update with the workflow task that carried it (safe to send again). */
export function isUpdateDroppedByTaskFailure(error: unknown): boolean {
  return grpcCodeOf(error) === GrpcStatus.FailedPrecondition;
}

/** Executes a one-argument update (Ramp's controls), sending it again if a workflow task failure dropped it. */
export async function executeUpdateSurvivingTaskFailure<Ret, Arg>(
  handle: WorkflowHandle,
  definition: UpdateDefinition<Ret, [Arg]> | string,
  arg: Arg,
  options: UpdateRetryOptions = {},
): Promise<Ret> {
  const attempts = options.attempts ?? 5;
  let delayMs = options.firstDelayMs ?? 100;
  const updateId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return (await handle.executeUpdate(definition, { args: [arg], updateId })) as Ret;
    } catch (error) {
      if (attempt >= attempts || !isUpdateDroppedByTaskFailure(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
    }
  }
}
