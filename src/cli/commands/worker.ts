import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { createReleaseWorker, installWorkerRuntime } from '../../worker.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run a Ramp worker (release workflows and their activities) against TEMPORAL_ADDRESS')
    .action(async () => {
      const config = loadConfig();
      installWorkerRuntime(config);
      const worker = await createReleaseWorker(config);
      console.log(
        `ramp worker: polling ${config.temporal.taskQueue} on ${config.temporal.address} (namespace ${config.temporal.namespace})`,
      );
      const running = worker.run();
      void untilSignal().then(() => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      });
      await running;
    });
}
