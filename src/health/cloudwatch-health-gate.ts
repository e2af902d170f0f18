import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AssumedRole, AwsClients } from '../aws/lambda-clients.ts';
import type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';
import { readAlarmStates } from './alarm-states.ts';
import { type CloudWatchBatcher, createCloudWatchBatcher } from './cloudwatch-batcher.ts';
import type { HealthGate, HealthWatchSession } from './health-gate.ts';
import { judge } from './judge.ts';
import { judgeSequential } from './sequential-judge.ts';
import { VersionMetricsWatch } from './version-metrics-watch.ts';
import { VersionMinutesWatch } from './version-minutes-watch.ts';

export interface CloudWatchHealthGateOptions {
  clock?: () => Date;
  /** How long reads wait for others to share their CloudWatch call (cloudwatch-batcher.ts). */
  batchWindowMs?: number;
}

/**
 * The production health gate: the release's alarms and the candidate's own AWS/Lambda metrics against
 * the stable version's, judged by src/health/judge.ts, or by src/health/sequential-judge.ts when the
 * input asks for `judge: 'sequential'`. Every read goes through one batcher per CloudWatch client, shared
 * by all the releases this worker watches (docs/scale.md).
 */
export function createCloudWatchHealthGate(
  aws: AwsClients,
  options: CloudWatchHealthGateOptions | (() => Date) = {},
): HealthGate {
  const { clock = () => new Date(), batchWindowMs } =
    typeof options === 'function' ? { clock: options } : options;
  const batchers = new WeakMap<CloudWatchClient, CloudWatchBatcher>();
  const batcherOf = (cloudWatch: CloudWatchClient) => {
    let batcher = batchers.get(cloudWatch);
    if (!batcher) {
      batcher = createCloudWatchBatcher(
        cloudWatch,
        batchWindowMs === undefined ? {} : { windowMs: batchWindowMs },
      );
      batchers.set(cloudWatch, batcher);
    }
    return batcher;
  };

  /** `role`: a cross-account release reads its metrics and alarms through its role session. */
  function watch(input: HealthCheckInput, role?: AssumedRole): HealthWatchSession {
    const health = input.health;
    const cloudWatch = aws.cloudWatch(input.region, role);
    const batcher = batcherOf(cloudWatch);
    const trafficMovedAt = input.trafficMovedAt ? new Date(input.trafficMovedAt) : null;
    const functionName = input.functionName.replace(/^.*:function:/, '');
    const versions = [input.candidateVersion, ...(input.stableVersion ? [input.stableVersion] : [])];
    const watched = trafficMovedAt && { functionName, alias: input.alias, versions, since: trafficMovedAt };
    const isSequential = input.judge === 'sequential';
    const metrics =
      health?.metrics && watched && !isSequential
        ? new VersionMetricsWatch(cloudWatch, batcher, watched)
        : null;
    const minutes =
      health?.metrics && watched && isSequential ? new VersionMinutesWatch(batcher, watched) : null;
    return {
      async check(): Promise<HealthVerdict> {
        if (!health) return { status: 'pass', message: 'no health checks configured' };
        // Alarms and metrics are read at once: each read waits for its batch, and both batches go out together.
        const readingAlarms = readAlarmStates(
          (names) => batcher.readAlarms(names),
          health.alarms,
          trafficMovedAt,
        );
        readingAlarms.catch(() => undefined);
        if (minutes && trafficMovedAt) {
          const byVersion = await minutes.read(clock());
          return judgeSequential({
            config: health,
            alarms: await readingAlarms,
            candidate: byVersion[input.candidateVersion] ?? [],
            stable: input.stableVersion ? (byVersion[input.stableVersion] ?? []) : null,
            trafficMovedAtMs: trafficMovedAt.getTime(),
          });
        }
        const byVersion = metrics ? await metrics.read(clock()) : null;
        return judge({
          config: health,
          alarms: await readingAlarms,
          candidate: byVersion?.[input.candidateVersion] ?? null,
          stable: input.stableVersion ? (byVersion?.[input.stableVersion] ?? null) : null,
        });
      },
    };
  }

  return {
    watch,
    check: (input, role) => watch(input, role).check(),
  };
}
