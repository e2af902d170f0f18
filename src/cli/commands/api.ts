import type { Command } from 'commander';
import { startApi } from '../../api/start-api.ts';
import { loadConfig } from '../../config.ts';
import { createLogger, logProcessWarnings } from '../../observability/logger.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description(
      'Run the HTTP API (RAMP_API_HOST, RAMP_API_PORT, RAMP_API_TOKEN / RAMP_API_TOKENS_FILE) against TEMPORAL_ADDRESS',
    )
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger({ level: config.logLevel, name: 'ramp-api' });
      logProcessWarnings(logger);
      const api = await startApi(config, { logger });
      await untilSignal();
      await api.close();
    });
}
