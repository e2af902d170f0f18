import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AlarmRecord, AlarmStore } from './alarms.ts';
import type { FunctionRegistry, RegistrySnapshot } from './function-registry.ts';

/**
 * Functions, versions, aliases (with their histories) and alarms survive a restart of the local stack;
 * metrics, faults and traffic do not, as they describe a moment rather than a configuration.
 */
interface SavedState extends Partial<RegistrySnapshot> {
  alarms?: AlarmRecord[];
}

export function loadState(path: string, registry: FunctionRegistry, alarms: AlarmStore): void {
  if (!existsSync(path)) return;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
  registry.restore(saved);
  alarms.restore(saved.alarms ?? []);
}

export function saveState(path: string, registry: FunctionRegistry, alarms: AlarmStore): void {
  const state: SavedState = { ...registry.snapshot(), alarms: alarms.list() };
  const partial = `${path}.partial`;
  writeFileSync(partial, JSON.stringify(state));
  // Rename is atomic, so a crash mid-write never leaves a half-written state file behind.
  renameSync(partial, path);
}
