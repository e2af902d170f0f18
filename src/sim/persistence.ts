import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AlarmRecord, AlarmStore } from './alarms.ts';
import type { LambdaService } from './lambda-service.ts';
import type { FunctionRecord } from './lambda-state.ts';

/**
 * Functions, versions, aliases (with their histories) and alarms survive a restart of the local stack;
 * metrics, faults and traffic do not, as they describe a moment rather than a configuration.
 */
interface SavedState {
  functions: FunctionRecord[];
  aliasHistory?: [string, ReturnType<LambdaService['historyOf']>][];
  alarms?: AlarmRecord[];
}

export function loadState(path: string, service: LambdaService, alarms: AlarmStore): void {
  if (!existsSync(path)) return;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
  for (const fn of saved.functions ?? []) service.functions.set(`${fn.region}/${fn.name}`, fn);
  for (const [key, history] of saved.aliasHistory ?? []) service.aliasHistory.set(key, [...history]);
  for (const alarm of saved.alarms ?? []) alarms.alarms.set(`${alarm.region}/${alarm.name}`, alarm);
}

export function saveState(path: string, service: LambdaService, alarms: AlarmStore): void {
  const state: SavedState = {
    functions: [...service.functions.values()],
    aliasHistory: [...service.aliasHistory.entries()],
    alarms: alarms.list(),
  };
  const partial = `${path}.partial`;
  writeFileSync(partial, JSON.stringify(state));
  // Rename is atomic, so a crash mid-write never leaves a half-written state file behind.
  renameSync(partial, path);
}
