import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { startLocalStack } from '../../local-stack.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('Start the local stack: Temporal dev server (persisted in RAMP_DATA_DIR) and a worker')
    .action(async () => {
      const config = loadConfig();
      const log = (line: string) => console.log(`ramp: ${line}`);
      const stack = await startLocalStack(config, log);
      console.log(
        [
          '',
          'Ramp local stack is up.',
          `  Temporal:     ${stack.temporal.address} (namespace ${stack.temporal.namespace})`,
          `  Temporal UI:  ${stack.temporal.uiUrl ?? '(off)'}`,
          `  Task queue:   ${config.temporal.taskQueue}`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      await untilSignal();
      log('stopping…');
      await stack.stop();
    });
}
