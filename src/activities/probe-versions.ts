import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { HealthConfig, ProbeConfig } from '../domain/health-spec.ts';
import type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';
import type { TargetRole } from '../domain/role-arn.ts';
import { withProbeChecks } from '../health/probe-judge.ts';
import { runProbeRound } from '../health/probe-round.ts';
import type { ActivityDeps } from './deps.ts';
import { roleSessionOf } from './role-session.ts';

export interface ProbeRoundInput extends TargetRole {
  functionName: string;
  region: string;
  candidateVersion: string;
  stableVersion: string | null;
  health: HealthConfig & { probes: ProbeConfig };
  /** How long to probe (at least what a verdict needs, src/domain/probe-timing.ts). */
  durationMs: number;
}

/** A fresh verdict's probe round must fit the check's own 30 s start-to-close (workflows/release/options.ts). */
const freshRoundMaxMs = 20_000;

/**
 * One fresh health verdict (before a shift after a wait, or before promotion): the gate's check, and with
 * probes a short round of them at the same time, long enough for a verdict.
 */
export function createCheckHealth(deps: ActivityDeps) {
  return async function checkHealth(input: HealthCheckInput): Promise<HealthVerdict> {
    const role = roleSessionOf(input);
    const health = input.health;
    if (!health?.probes || !input.candidateVersion) return deps.healthGate.check(input, role);
    const [verdict, probes] = await Promise.all([
      deps.healthGate.check(input, role),
      runProbeRound({
        lambda: deps.aws.lambda(input.region, role),
        targets: {
          functionName: input.functionName,
          candidateVersion: input.candidateVersion,
          stableVersion: input.stableVersion,
        },
        health: { ...health, probes: health.probes },
        durationMs: 0,
        maxMs: freshRoundMaxMs,
      }),
    ]);
    return withProbeChecks(verdict, probes.checks ?? []);
  };
}

/**
 * The pre-traffic check: after the candidate is published and before any traffic moves, a round of probes
 * of the candidate (and of stable, for comparison). The workflow stops the release on a failing verdict,
 * with the alias untouched. Heartbeats while it runs, and a cancelled release ends the round.
 */
export function createProbeBeforeTraffic(deps: ActivityDeps) {
  return async function probeBeforeTraffic(input: ProbeRoundInput): Promise<HealthVerdict> {
    const context = Context.current();
    const verdict = await runProbeRound({
      lambda: deps.aws.lambda(input.region, roleSessionOf(input)),
      targets: {
        functionName: input.functionName,
        candidateVersion: input.candidateVersion,
        stableVersion: input.stableVersion,
      },
      health: input.health,
      durationMs: input.durationMs,
      onProgress: (checks) => context.heartbeat({ checks }),
      signal: context.cancellationSignal,
    });
    if (context.cancellationSignal.aborted) throw new CancelledFailure('pre-traffic probes cancelled');
    return verdict;
  };
}
