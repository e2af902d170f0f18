import type { Command } from 'commander';
import { startApi } from '../../api/start-api.ts';
import { loadConfig } from '../../config.ts';
import { untilSignal } from '../run-until-signal.ts';

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description(
      'Run the HTTP API (RAMP_API_HOST, RAMP_API_PORT, RAMP_API_TOKEN / RAMP_API_TOKENS_FILE) against TEMPORAL_ADDRESS',
    )
    .action(async () => {
      const api = await startApi(loadConfig(), {
        // Human lines on stderr, so stdout carries only the JSON log (audit lines) for collectors.
        log: (line) => console.error(`ramp api: ${line}`),
      });
      await untilSignal();
      await api.close();
    });
}
