import { CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { CliError } from './api-client.ts';
import { buildProgram } from './program.ts';

// `ramp release list | head` closes stdout early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const quietCodes = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander printed its own one-line message (unknown flag, missing argument, conflicting options).
    process.exitCode = quietCodes.has(error.code) ? 0 : 2;
  } else if (error instanceof ConfigError || error instanceof CliError) {
    // Expected failures (bad config, bad input, a refused request) get one clear line, not a stack trace.
    console.error(`ramp: ${error.message}`);
    process.exitCode = error instanceof CliError ? error.exitCode : 2;
  } else {
    // A bug: one line, and the stack only when asked for.
    let isDebug = false;
    try {
      isDebug = loadConfig().logLevel === 'debug';
    } catch {
      // The config itself is what failed to load; the line below is all there is to say.
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      `ramp: unexpected error: ${message}${
        isDebug ? `\n${(error as Error).stack}` : ' (RAMP_LOG_LEVEL=debug shows the stack)'
      }`,
    );
    process.exitCode = 1;
  }
}
