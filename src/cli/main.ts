import { ConfigError } from '../config.ts';
import { CliError } from './api-client.ts';
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Expected failures (bad config, bad input, a refused request) get one clear line, not a stack trace.
  if (error instanceof ConfigError || error instanceof CliError) {
    console.error(`ramp: ${error.message}`);
    process.exitCode = error instanceof CliError ? error.exitCode : 2;
  } else {
    throw error;
  }
}
