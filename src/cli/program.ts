import { Command } from 'commander';
import { registerApiCommand } from './commands/api.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerHealthcheckCommand } from './commands/healthcheck.ts';
import { registerReleaseCommand } from './commands/release.ts';
import { registerSimCommand } from './commands/sim.ts';
import { registerWorkerCommand } from './commands/worker.ts';

/** The `ramp` command; each subcommand lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('ramp')
    .description('Durable release orchestrator for AWS Lambda, on Temporal')
    .version('0.1.0');
  registerDevCommand(program);
  registerWorkerCommand(program);
  registerApiCommand(program);
  registerHealthcheckCommand(program);
  registerReleaseCommand(program);
  registerSimCommand(program);
  return program;
}
