import { Command } from 'commander';
import { registerApiCommand } from './commands/api.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerHealthcheckCommand } from './commands/healthcheck.ts';
import { registerReleaseCommand } from './commands/release.ts';
import { registerSimCommand } from './commands/sim.ts';
import { registerTrainCommand } from './commands/train.ts';
import { registerWorkerCommand } from './commands/worker.ts';

/** The `ramp` command; each subcommand lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('ramp')
    .description('Durable release orchestrator for AWS Lambda, on Temporal')
    .version('0.1.0')
    // Program options only before the subcommand: `ramp --version` prints Ramp's version, while
    // `ramp release start --version 7` names the function version to release.
    .enablePositionalOptions()
    // Bad usage exits 2, as docs/cli.md promises; main.ts turns commander's exits into exit codes. Set before
    // the subcommands are added, so they inherit it.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  registerDevCommand(program);
  registerWorkerCommand(program);
  registerApiCommand(program);
  registerHealthcheckCommand(program);
  registerReleaseCommand(program);
  registerTrainCommand(program);
  registerSimCommand(program);
  registerDoctorCommand(program);
  return program;
}
