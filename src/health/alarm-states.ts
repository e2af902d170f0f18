import type { AlarmRecord } from './cloudwatch-batcher.ts';
import type { AlarmReading } from './judge.ts';

export class UnknownAlarmError extends Error {
  override name = 'UnknownAlarmError';
}

/**
 * The alarms' states now, read through `describe` (the batcher's DescribeAlarms). An alarm that was in ALARM before traffic moved (its state last changed before
 * the first shift) is marked, so the judge can apply the release's policy instead of blocking the fix.
 */
export async function readAlarmStates(
  describe: (names: string[]) => Promise<AlarmRecord[]>,
  names: string[],
  trafficMovedAt: Date | null,
): Promise<AlarmReading[]> {
  if (names.length === 0) return [];
  const alarms = await describe(names);
  const missing = names.filter((name) => !alarms.some((alarm) => alarm.AlarmName === name));
  if (missing.length > 0) throw new UnknownAlarmError(`no CloudWatch alarm named ${missing.join(', ')}`);
  return alarms.map((alarm) => ({
    name: alarm.AlarmName ?? '',
    state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
    ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
    wasAlarmingBefore:
      alarm.StateValue === 'ALARM' &&
      (trafficMovedAt === null ||
        (alarm.StateUpdatedTimestamp !== undefined &&
          alarm.StateUpdatedTimestamp.getTime() < trafficMovedAt.getTime())),
  }));
}
