/**
 * How many partitions the Temporal server gives a task queue. A budgeted Lambda queue's rate limit is a
 * ceiling for every 1-s window only on one partition: with more, each partition has a token bucket of its
 * own and dispatches at least one task a second (docs/scale.md, "Why the queue's rate is lower than the
 * budget"). Every server Ramp starts has one (server-dynamic-config.ts); a worker on someone else's cluster
 * asks, so it can say when the budget will not hold.
 */
import type { Client } from '@temporalio/client';

export interface QueuePartitions {
  taskQueue: string;
  /** Activity-task partitions; null when the server could not be asked. */
  partitions: number | null;
  /** Why it could not be asked. */
  error?: string;
}

export async function queuePartitions(
  client: Client,
  namespace: string,
  taskQueues: readonly string[],
): Promise<QueuePartitions[]> {
  return Promise.all(
    taskQueues.map(async (taskQueue): Promise<QueuePartitions> => {
      try {
        const answer = await client.workflowService.listTaskQueuePartitions({
          namespace,
          taskQueue: { name: taskQueue },
        });
        return { taskQueue, partitions: answer.activityTaskQueuePartitions?.length ?? 0 };
      } catch (error) {
        return { taskQueue, partitions: null, error: (error as Error).message };
      }
    }),
  );
}
