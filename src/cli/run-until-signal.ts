/**
 * Resolves on the first SIGINT or SIGTERM, so long-running commands shut down cleanly (stopping the dev
 * server they started). Signals during the shutdown are absorbed, since a process group often gets the
 * same signal twice (npm, tsx and node each relay it); a third one forces the exit.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let count = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      count++;
      if (count === 1) resolve(signal);
      else if (count >= 3) process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
