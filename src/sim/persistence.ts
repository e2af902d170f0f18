import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { LambdaService } from './lambda-service.ts';
import type { FunctionRecord } from './lambda-state.ts';

/** Functions, versions and aliases survive a restart of the local stack; metrics and faults do not. */
interface SavedState {
  functions: FunctionRecord[];
}

export function loadState(path: string, service: LambdaService): void {
  if (!existsSync(path)) return;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
  for (const fn of saved.functions ?? []) service.functions.set(`${fn.region}/${fn.name}`, fn);
}

export function saveState(path: string, service: LambdaService): void {
  const state: SavedState = { functions: [...service.functions.values()] };
  const partial = `${path}.partial`;
  writeFileSync(partial, JSON.stringify(state));
  renameSync(partial, path);
}
