import { randomUUID } from 'node:crypto';
import type { Behaviour } from './behaviour.ts';

/**
 * The simulator's Lambda state: functions, their `$LATEST`, published versions and aliases, per region.
 * Transitions that take time in Lambda (Pending → Active, InProgress → Successful/Failed) are settled
 * lazily against the clock whenever a function is touched, so the behaviour is deterministic in tests.
 */
export interface CodeState {
  sha256: string;
  size: number;
  behaviour: Behaviour;
  imageUri?: string;
}

export interface ConfigState {
  runtime?: string;
  role: string;
  handler?: string;
  description: string;
  timeout: number;
  memorySize: number;
  packageType: 'Zip' | 'Image';
  architectures: string[];
}

export interface VersionRecord {
  version: string;
  code: CodeState;
  config: ConfigState;
  description: string;
  revisionId: string;
  lastModified: string;
  /** A version published by UpdateFunctionCode with Publish stays Pending until that update settles. */
  activeAt?: number;
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  weights: Record<string, number>;
  description: string;
  revisionId: string;
}

export interface LatestState {
  code: CodeState;
  config: ConfigState;
  /** What invocations of $LATEST run while an update is in progress or after it failed. */
  servingCode: CodeState;
  revisionId: string;
  lastModified: string;
  state: 'Pending' | 'Active' | 'Failed';
  lastUpdateStatus: 'InProgress' | 'Successful' | 'Failed' | undefined;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  /** When the current transition (creation or update) settles, in ms since the epoch. */
  settlesAt: number;
  /** An injected failure the current update ends with. */
  pendingFailure?: { reason: string; reasonCode: string };
}

export interface FunctionRecord {
  name: string;
  region: string;
  latest: LatestState;
  versions: VersionRecord[];
  nextVersion: number;
  aliases: Record<string, AliasRecord>;
  /** PutFunctionConcurrency: at most this many executions at once; absent, the account's pool. */
  reservedConcurrency?: number;
}

export function lambdaTimestamp(ms: number): string {
  // Lambda's LastModified is a string like 2020-04-10T19:06:32.563+0000.
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export const newRevisionId = (): string => randomUUID();

/** Settles a finished transition: each completion gives `$LATEST` a new RevisionId, as Lambda does. */
export function settle(fn: FunctionRecord, now: number): void {
  const latest = fn.latest;
  if (now < latest.settlesAt) return;
  if (latest.state === 'Pending') {
    latest.state = 'Active';
    latest.lastUpdateStatus = 'Successful';
    latest.servingCode = latest.code;
    latest.revisionId = newRevisionId();
  } else if (latest.lastUpdateStatus === 'InProgress') {
    if (latest.pendingFailure) {
      latest.lastUpdateStatus = 'Failed';
      latest.lastUpdateStatusReason = latest.pendingFailure.reason;
      latest.lastUpdateStatusReasonCode = latest.pendingFailure.reasonCode;
      // "Lambda aborts the update and the function's previous code and configuration remain available."
      latest.code = latest.servingCode;
      delete latest.pendingFailure;
    } else {
      latest.lastUpdateStatus = 'Successful';
      delete latest.lastUpdateStatusReason;
      delete latest.lastUpdateStatusReasonCode;
      latest.servingCode = latest.code;
    }
    latest.revisionId = newRevisionId();
  }
}

export function isSameContent(
  a: { code: CodeState; config: ConfigState },
  b: { code: CodeState; config: ConfigState },
): boolean {
  return a.code.sha256 === b.code.sha256 && JSON.stringify(a.config) === JSON.stringify(b.config);
}
