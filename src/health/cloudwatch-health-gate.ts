import type { AssumedRole, AwsClients } from '../aws/lambda-clients.ts';
import type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';
import { readAlarmStates } from './alarm-states.ts';
import type { HealthGate } from './health-gate.ts';
import { judge } from './judge.ts';
import { judgeSequential } from './sequential-judge.ts';
import { readVersionMetrics, readVersionMinutes } from './version-metrics.ts';

/**
 * The production health gate: the release's alarms and the candidate's own AWS/Lambda metrics against
 * the stable version's, judged by src/health/judge.ts, or by src/health/sequential-judge.ts when the
 * input asks for `judge: 'sequential'`.
 */
export function createCloudWatchHealthGate(
  aws: AwsClients,
  clock: () => Date = () => new Date(),
): HealthGate {
  return {
    async check(input: HealthCheckInput, role?: AssumedRole): Promise<HealthVerdict> {
      const health = input.health;
      if (!health) return { status: 'pass', message: 'no health checks configured' };
      const cloudWatch = aws.cloudWatch(input.region, role);
      const trafficMovedAt = input.trafficMovedAt ? new Date(input.trafficMovedAt) : null;
      const alarms = await readAlarmStates(cloudWatch, health.alarms, trafficMovedAt);
      if (input.judge === 'sequential' && health.metrics && trafficMovedAt) {
        const versions = [input.candidateVersion, ...(input.stableVersion ? [input.stableVersion] : [])];
        const byVersion = await readVersionMinutes(cloudWatch, {
          functionName: input.functionName.replace(/^.*:function:/, ''),
          alias: input.alias,
          versions,
          since: trafficMovedAt,
          until: clock(),
        });
        return judgeSequential({
          config: health,
          alarms,
          candidate: byVersion[input.candidateVersion] ?? [],
          stable: input.stableVersion ? (byVersion[input.stableVersion] ?? []) : null,
          trafficMovedAtMs: trafficMovedAt.getTime(),
        });
      }
      let candidate = null;
      let stable = null;
      if (health.metrics && trafficMovedAt) {
        const versions = [input.candidateVersion, ...(input.stableVersion ? [input.stableVersion] : [])];
        const byVersion = await readVersionMetrics(cloudWatch, {
          functionName: input.functionName.replace(/^.*:function:/, ''),
          alias: input.alias,
          versions,
          since: trafficMovedAt,
          until: clock(),
        });
        candidate = byVersion[input.candidateVersion] ?? null;
        stable = input.stableVersion ? (byVersion[input.stableVersion] ?? null) : null;
      }
      return judge({ config: health, alarms, candidate, stable });
    },
  };
}
