import type { HealthConfig } from './health-spec.ts';
import type { TargetRole } from './role-arn.ts';

/**
 * What a health gate is asked and what it answers: plain data that crosses Temporal (the workflow's
 * `checkHealth` and `monitorHealth` activities), so it lives in the domain, below both health/ and
 * activities/.
 */
export interface HealthCheckInput extends TargetRole {
  functionName: string;
  region: string;
  alias: string;
  stableVersion: string | null;
  candidateVersion: string;
  candidateWeightPercent: number;
  /** Which gate: between steps, or the last one before promotion. */
  stage: 'step' | 'promotion';
  stepIndex: number;
  /** What the release asked to be judged by; absent when the spec has no `health`. */
  health?: HealthConfig;
  /** When the candidate first took traffic: metrics are measured from then, and alarms already in ALARM before it are pre-existing. */
  trafficMovedAt?: string;
  /**
   * Which statistics judge the metrics: 'sequential' (tests valid under continuous monitoring, with a
   * practical threshold; docs/health.md) or 'fixed' (a fixed-confidence test per check). Absent means
   * 'fixed', the judge releases started before the sequential one existed were promised.
   */
  judge?: 'fixed' | 'sequential';
}

export interface HealthCheck {
  name: string;
  status: 'pass' | 'fail' | 'inconclusive';
  measured?: string;
  against?: string;
}

export interface HealthVerdict {
  status: 'pass' | 'fail' | 'inconclusive';
  message: string;
  checks?: HealthCheck[];
}
