import type { AssumedRole } from '../aws/lambda-clients.ts';
import type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';

/**
 * The health gate the release's activities call between steps and before promotion.
 * `createCloudWatchHealthGate` fills it with real checks; `alwaysHealthy` is the default with none configured.
 */
export interface HealthGate {
  /** `role`: the role session a cross-account release reads its metrics and alarms through. */
  check(input: HealthCheckInput, role?: AssumedRole): Promise<HealthVerdict>;
}

export const alwaysHealthy: HealthGate = {
  async check() {
    return { status: 'pass', message: 'no health checks configured' };
  },
};
