import type { ProbeConfig } from './health-spec.ts';

/**
 * The candidate's last this-many answered probes all failing (while stable's did not) fails it at once
 * (src/health/probe-judge.ts), and a verdict needs at least this many answers. In the domain because the
 * workflow sizes the pre-traffic round's activity timeout from it.
 */
export const consecutiveFailuresToFail = 8;

/**
 * How long a round of probes lasts: the time asked for, but at least long enough for the candidate to answer
 * the probes a verdict needs (at the configured rate, plus one timeout for the last of them).
 */
export function probeRoundMs(config: ProbeConfig, askedMs: number): number {
  return Math.max(
    askedMs,
    Math.ceil((consecutiveFailuresToFail / config.ratePerSecond) * 1000) + config.timeoutMs,
  );
}
