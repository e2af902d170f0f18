// Types for release-view.js, the dashboard's pure logic, so the Node tests that import it are checked.
import type { ControlAction } from '../domain/release-state.ts';
import type { ReleaseStatus } from '../domain/release-status.ts';

export interface Me {
  name: string;
  scopes: string[];
  functions: string[];
  may: { read: boolean; release: boolean; operate: boolean };
  isOpen: boolean;
}
export interface PlanStep {
  weightPercent: number;
  bake: string | undefined;
  requiresApproval: boolean;
}
export interface Verdict {
  at: string;
  kind: 'health' | 'hook';
  status: 'pass' | 'fail' | 'inconclusive';
  message: string;
  checksRun: number | undefined;
  checks: { name: string; status: string; measured?: string; against?: string }[];
}
export interface Filters {
  function?: string;
  outcome?: string;
  running?: 'true' | 'false';
}

export const controlActions: ControlAction[];
export const destructiveActions: Set<ControlAction>;
export const outcomes: string[];
export function stateProblem(status: ReleaseStatus, action: ControlAction): string | undefined;
export function pauseOrApprovalProblem(
  status: { isPaused: boolean; awaitingApproval: boolean },
  action: string,
  noun: 'release' | 'train',
): string | undefined;
export function tokenProblem(me: Me | undefined, functionName: string): string | undefined;
export function controlsFor(
  status: ReleaseStatus,
  me: Me | undefined,
): { action: ControlAction; isEnabled: boolean; reason: string | undefined }[];
export function promoteToFullControl(
  status: ReleaseStatus,
  me: Me | undefined,
): { action: 'promote'; full: true; isEnabled: boolean; reason: string | undefined };
export function startedFacts(status: ReleaseStatus): {
  steps: PlanStep[] | undefined;
  requestedBy: string | undefined;
};
export function planRows(
  status: ReleaseStatus,
): (PlanStep & { label: string; state: 'done' | 'current' | 'stopped' | 'next' })[] | undefined;
export function formatBake(ms: number): string;
export function deadlineOf(status: ReleaseStatus): { label: string; at: string } | undefined;
export function codeFacts(status: ReleaseStatus): { codeSha256: string | undefined };
export function requestedByOf(status: ReleaseStatus): string | undefined;
export function verdicts(status: ReleaseStatus): Verdict[];
export function weightChartData(status: ReleaseStatus, nowMs: number): [number[], ...(number | null)[][]];
export function relativeTime(iso: string, nowMs: number): string;
export function countdown(iso: string, nowMs: number): string;
export function sortReleases<T extends { isRunning: boolean; startedAt: string | null }>(releases: T[]): T[];
export function filtersFrom(search: string): Filters;
export function queryOf(filters: Filters): string;
export function phaseLabel(phase: string | null | undefined): string;
