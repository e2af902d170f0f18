import type { Logger } from '@temporalio/common';

const ignore = () => {};

/**
 * The workflow bundler reports every webpack module at INFO; Ramp's processes and tests keep only its
 * warnings and errors (or, for tests that expect a failure, collect them).
 */
export function bundlerLogger(
  options: { onError?: (message: string) => void; isSilent?: boolean } = {},
): Logger {
  const report = options.isSilent ? ignore : (message: string) => console.error(message);
  return {
    log: ignore,
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: report,
    error: options.onError ?? report,
  };
}
