import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import type { ReleaseClient } from '../../src/releases/release-client.ts';

/** Polls a release's status until `predicate` holds; fails with the last status after `timeoutMs`. */
export async function waitForStatus(
  releases: ReleaseClient,
  releaseId: string,
  predicate: (status: ReleaseStatus) => boolean,
  timeoutMs = 20_000,
): Promise<ReleaseStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ReleaseStatus | undefined;
  for (;;) {
    try {
      last = await releases.status(releaseId);
      if (predicate(last)) return last;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for the release; last status: ${JSON.stringify(last, null, 2)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
