/**
 * Reads each listed item's status (a release's or a train's), handing each to `onFound` as it arrives, four
 * at a time, so one slow read (a workflow whose worker is down) delays only its own row. An ended item's
 * status never changes again, so it is read once.
 */
export async function readStatuses(items, { idOf, read, known, signal, onFound }) {
  const queue = items.filter((item) => item.isRunning || !known.has(idOf(item)));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        onFound(idOf(next), await read(idOf(next), signal));
      } catch {
        // One unreadable status leaves its row with the listing's fields; the next refresh tries again.
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
