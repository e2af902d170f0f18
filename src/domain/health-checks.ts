import type { HealthConfig } from './health-spec.ts';
import type { ReleasePlan } from './release-plan.ts';

/** Whether the release has anything that judges the candidate while it takes traffic (alarms, metrics or probes). */
export function hasHealthChecks(health: HealthConfig | undefined): boolean {
  return (
    health !== undefined &&
    (health.alarms.length > 0 || health.metrics !== undefined || health.probes !== undefined)
  );
}

/**
 * What a person should hear before a release starts, without refusing it: the API puts these in its 202
 * answer and the workflow in its timeline.
 */
export function releaseWarnings(plan: ReleasePlan, health: HealthConfig | undefined): string[] {
  const warnings: string[] = [];
  if (plan.steps.length > 0 && !hasHealthChecks(health)) {
    warnings.push(
      'the steps move traffic with no health checks (no alarms, no metrics, no probes): bakes only wait, and nothing rolls back a bad candidate; add health.alarms, health.metrics or health.probes',
    );
  }
  return warnings;
}
