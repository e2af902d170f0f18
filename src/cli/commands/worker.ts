import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { createLogger, logProcessWarnings } from '../../observability/logger.ts';
import { createReleaseWorker, installWorkerRuntime, serveWorkerMetrics } from '../../worker.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run a Ramp worker (release workflows and their activities) against TEMPORAL_ADDRESS')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger({ level: config.logLevel, name: 'ramp-worker' });
      logProcessWarnings(logger);
      const { sdkMetricsUrl } = await installWorkerRuntime(logger, config);
      const worker = await createReleaseWorker(config, { logger });
      const metrics = await serveWorkerMetrics(config, worker, { logger, sdkMetricsUrl });
      logger.info(
        {
          taskQueue: config.temporal.taskQueue,
          address: config.temporal.address,
          namespace: config.temporal.namespace,
        },
        'polling for release workflows and activities',
      );
      const running = worker.run();
      void untilSignal().then((signal) => {
        if (worker.getState() !== 'RUNNING') return;
        logger.info(
          { signal, shutdownGraceMs: config.workerProcess.shutdownGraceMs },
          'shutting down: polling stopped; running activities may finish within the grace time, then are handed back to other workers',
        );
        worker.shutdown();
      });
      try {
        await running;
      } finally {
        await metrics?.close();
      }
      logger.info('worker stopped');
    });
}
