/**
 * The pre-traffic check of synthetic probes (health.probes): once the candidate is published and before any
 * traffic moves, a round of probes of the candidate, with stable probed beside it for comparison. A failing
 * round is an unhealthy verdict before the first shift, so the release stops with the alias untouched.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import { probeRoundMs } from '../../domain/probe-timing.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import type { HealthWatch, Note } from './health-watch.ts';
import { preTrafficProbesPatch } from './messages.ts';
import { probeRound } from './options.ts';

export async function probeBeforeTraffic(release: {
  input: ReleaseInput;
  status: ReleaseStatus;
  health: HealthWatch;
  note: Note;
}): Promise<void> {
  const { input, status } = release;
  const probes = input.health?.probes;
  if (!input.health || !probes || probes.preTrafficMs <= 0 || status.candidateVersion === null) return;
  // Releases recorded before probes existed never get here (their specs had none); the marker says so anyway.
  if (!patched(preTrafficProbesPatch)) return;
  const roundMs = probeRoundMs(probes, probes.preTrafficMs);
  const { probeBeforeTraffic } = proxyActivities<ReleaseActivities>(probeRound(roundMs, probes.timeoutMs));
  const verdict = await probeBeforeTraffic({
    functionName: input.functionName,
    region: input.region,
    ...roleFieldsOf(input),
    candidateVersion: status.candidateVersion,
    stableVersion: status.stableVersion,
    health: { ...input.health, probes },
    durationMs: probes.preTrafficMs,
  });
  release.note('health_verdict', `${verdict.status} (probes before traffic): ${verdict.message}`, {
    verdict,
  });
  if (verdict.status !== 'pass')
    throw release.health.unhealthy(
      `pre-traffic probes ${verdict.status === 'fail' ? 'failed' : 'gave no verdict'}: ${verdict.message}`,
      verdict,
    );
}
