import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { HealthConfig, ProbeConfig } from '../domain/health-spec.ts';
import type { HealthCheck, HealthVerdict } from '../domain/health-verdict.ts';
import { probeRoundMs } from '../domain/probe-timing.ts';
import { verdictOf } from './judge.ts';
import { judgeProbes } from './probe-judge.ts';
import { ProbeRun, type ProbeTargets } from './probes.ts';

/** The probe checks of a run so far. */
export function probeChecksOf(run: ProbeRun, config: HealthConfig): HealthCheck[] {
  return judgeProbes({
    config,
    candidateVersion: run.targets.candidateVersion,
    stableVersion: run.targets.stableVersion,
    candidate: run.outcomesOf(run.targets.candidateVersion),
    stable: run.targets.stableVersion === null ? null : run.outcomesOf(run.targets.stableVersion),
  });
}

/**
 * One round of probes of both versions for `durationMs` (see probeRoundMs), judged as it goes: it ends early
 * as soon as the probes fail the candidate, or once a verdict is in after the time asked for.
 */
export async function runProbeRound(options: {
  lambda: LambdaClient;
  targets: ProbeTargets;
  health: HealthConfig & { probes: ProbeConfig };
  durationMs: number;
  /** Ends the round here even without a verdict (a caller with a deadline of its own). */
  maxMs?: number;
  /** Called every ~250 ms while the round runs (an activity heartbeats from it). */
  onProgress?: (checks: HealthCheck[]) => void;
  signal?: AbortSignal;
  clock?: () => number;
}): Promise<HealthVerdict> {
  const clock = options.clock ?? Date.now;
  const run = new ProbeRun(options.lambda, options.targets, options.health.probes, clock).start();
  const askedUntil = clock() + options.durationMs;
  const hardUntil =
    clock() +
    Math.min(
      options.maxMs ?? Number.POSITIVE_INFINITY,
      probeRoundMs(options.health.probes, options.durationMs),
    );
  let checks: HealthCheck[] = [];
  try {
    for (;;) {
      checks = probeChecksOf(run, options.health);
      options.onProgress?.(checks);
      const verdict = verdictOf(checks);
      const now = clock();
      if (verdict.status === 'fail' || options.signal?.aborted) break;
      if (now >= hardUntil || (now >= askedUntil && verdict.status === 'pass')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    run.stop();
  }
  return verdictOf(checks);
}
