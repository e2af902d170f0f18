import type { AssumedRole } from '../aws/lambda-clients.ts';
import type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';

/**
 * The health gate the release's activities call between steps and before promotion.
 * `createCloudWatchHealthGate` fills it with real checks; `alwaysHealthy` is the default with none configured.
 */
export interface HealthGate {
  /** `role`: the role session a cross-account release reads its metrics and alarms through. */
  check(input: HealthCheckInput, role?: AssumedRole): Promise<HealthVerdict>;
  /**
   * Checks of one release, again and again over a wait (the health monitor): a gate may keep what it has
   * read between them. Without it, each check is a `check(input)` of its own.
   */
  watch?(input: HealthCheckInput, role?: AssumedRole): HealthWatchSession;
}

export interface HealthWatchSession {
  check(): Promise<HealthVerdict>;
}

/** The gate's watch session, or one that checks afresh each time. */
export function watchSession(
  gate: HealthGate,
  input: HealthCheckInput,
  role?: AssumedRole,
): HealthWatchSession {
  return gate.watch?.(input, role) ?? { check: () => gate.check(input, role) };
}

export const alwaysHealthy: HealthGate = {
  async check() {
    return { status: 'pass', message: 'no health checks configured' };
  },
};
