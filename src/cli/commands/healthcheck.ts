import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { connectClient } from '../../temporal/connect.ts';

export function registerHealthcheckCommand(program: Command): void {
  program
    .command('healthcheck')
    .description(
      'Exit 0 when Temporal is reachable and a worker polls the release task queue (for containers)',
    )
    .argument('[what]', 'worker', 'worker')
    .action(async () => {
      const config = loadConfig();
      const client = await connectClient(config.temporal);
      try {
        const queue = await client.workflowService.describeTaskQueue({
          namespace: config.temporal.namespace,
          taskQueue: { name: config.temporal.taskQueue },
          taskQueueType: 1, // workflow tasks
        });
        const pollers = queue.pollers?.length ?? 0;
        console.log(`${pollers} poller(s) on ${config.temporal.taskQueue}`);
        process.exitCode = pollers > 0 ? 0 : 1;
      } finally {
        await client.connection.close();
      }
    });
}
