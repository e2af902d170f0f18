/** How often `--wait` and `watch` read the status they follow. */
const followPollMs = 1000;

/**
 * Follows a release or a train until it has an outcome, reading its status every second and printing what
 * changed: with `isJson` each new status as one line, else the lines `changes` gives for the step from
 * the previous status (none before the first) to this one. Returns the last status.
 */
export async function followStatus<Status extends { outcome: unknown }>(
  read: () => Promise<Status>,
  options: { isJson: boolean; changes: (previous: Status | undefined, status: Status) => string[] },
): Promise<Status> {
  let previous: Status | undefined;
  let previousText = '';
  for (;;) {
    const status = await read();
    if (options.isJson) {
      const text = JSON.stringify(status);
      if (text !== previousText) console.log(text);
      previousText = text;
    } else {
      for (const line of options.changes(previous, status)) console.log(line);
    }
    previous = status;
    if (status.outcome) return status;
    await new Promise((resolve) => setTimeout(resolve, followPollMs));
  }
}
