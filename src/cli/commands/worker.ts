import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../observability/logger.ts';
import { createReleaseWorker, installWorkerRuntime } from '../../worker.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run a Ramp worker (release workflows and their activities) against TEMPORAL_ADDRESS')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger({ level: config.logLevel, name: 'ramp-worker' });
      installWorkerRuntime(logger);
      const worker = await createReleaseWorker(config, { logger });
      logger.info(
        {
          taskQueue: config.temporal.taskQueue,
          address: config.temporal.address,
          namespace: config.temporal.namespace,
        },
        'polling for release workflows and activities',
      );
      const running = worker.run();
      void untilSignal().then(() => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      });
      await running;
    });
}
