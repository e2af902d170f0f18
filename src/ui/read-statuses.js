import { useEffect, useRef, useState } from 'preact/hooks';

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

const refreshMs = 3000;

/**
 * A list page's data: lists now, and again `refreshMs` after each listing and its status reads end, reading
 * the listed items' statuses as `readStatuses` does; from the start when `deps` change, and never after the
 * page has left. `list(signal)` answers the listing, `itemsOf` finds the items in it; `onListed` shows a
 * listing as soon as it comes, `onError` a listing that failed. Returns the statuses read so far, by id,
 * and when the last one came (each one renders the page again).
 */
export function useListedStatuses({ list, itemsOf, idOf, read, onListed, onError }, deps) {
  const statuses = useRef(new Map());
  const [updatedAt, setUpdatedAt] = useState(undefined);

  useEffect(() => {
    const controller = new AbortController();
    let timer;
    const load = async () => {
      try {
        const answer = await list(controller.signal);
        // The rows show at once from the listing; the statuses (weight, who) fill in as they come, so an
        // item whose status is slow to read (its worker is down) never holds the whole list back.
        onListed(answer);
        await readStatuses(itemsOf(answer), {
          idOf,
          read,
          known: statuses.current,
          signal: controller.signal,
          onFound: (id, status) => {
            statuses.current.set(id, status);
            if (!controller.signal.aborted) setUpdatedAt(Date.now());
          },
        });
        setUpdatedAt(Date.now());
      } catch (caught) {
        if (controller.signal.aborted) return;
        onError(caught);
      }
      if (!controller.signal.aborted) timer = setTimeout(load, refreshMs);
    };
    load();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, deps);

  return { statuses: statuses.current, updatedAt };
}
