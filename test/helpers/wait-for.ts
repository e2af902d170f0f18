import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import type { ReleaseClient } from '../../src/releases/release-client.ts';

/**
 * Reads a status until `predicate` holds of it; fails with the last status after `timeoutMs`. A read that
 * fails (a status query while the worker is busy) is tried again until the deadline.
 */
export async function waitForState<S>(
  read: () => Promise<S>,
  predicate: (status: S) => boolean,
  options: { timeoutMs: number; what: string; intervalMs?: number },
): Promise<S> {
  const deadline = Date.now() + options.timeoutMs;
  let last: S | undefined;
  for (;;) {
    try {
      last = await read();
      if (predicate(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for the ${options.what}; last status: ${JSON.stringify(last, null, 2)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** Polls a release's status until `predicate` holds; fails with the last status after `timeoutMs`. */
export function waitForStatus(
  releases: ReleaseClient,
  releaseId: string,
  predicate: (status: ReleaseStatus) => boolean,
  timeoutMs = 20_000,
): Promise<ReleaseStatus> {
  return waitForState(() => releases.status(releaseId), predicate, { timeoutMs, what: 'release' });
}

export function waitForEnd(
  releases: ReleaseClient,
  releaseId: string,
  timeoutMs = 30_000,
): Promise<ReleaseStatus> {
  return waitForStatus(releases, releaseId, (status) => status.outcome !== null, timeoutMs);
}

/**
 * Polls `read` until `isDone` holds of its value, or the time is up; returns the last value either way, so
 * the caller's assertion says what was seen. The one polling helper for conditions that are not a status.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  isDone: (value: T) => boolean,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
