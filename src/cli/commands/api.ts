import type { Command } from 'commander';
import { startApi } from '../../api/start-api.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../observability/logger.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description(
      'Run the HTTP API (RAMP_API_HOST, RAMP_API_PORT, RAMP_API_TOKEN / RAMP_API_TOKENS_FILE) against TEMPORAL_ADDRESS',
    )
    .action(async () => {
      const config = loadConfig();
      const api = await startApi(config, {
        logger: createLogger({ level: config.logLevel, name: 'ramp-api' }),
      });
      await untilSignal();
      await api.close();
    });
}
