import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { AwsClients } from '../aws/lambda-clients.ts';
import type { HealthGate } from '../health/health-gate.ts';

/** Everything activities need, built once by a composition root (worker, tests) and passed in. */
export interface ActivityDeps {
  aws: AwsClients;
  artifacts: ArtifactStore;
  healthGate: HealthGate;
  /**
   * The task queue of each budgeted region's Lambda calls for this worker's account (worker.ts polls
   * them): the `lambdaBudgetQueue` activity tells a release where to send them. Absent: none budgeted.
   */
  lambdaBudgetQueues?: ReadonlyMap<string, string>;
  /**
   * Cross-account releases: the budgeted queue of each other account the worker polls (RAMP_TARGET_ACCOUNTS),
   * by `<account>/<region>`. A role's account is in its ARN; an account or region not here is not budgeted.
   */
  roleAccountBudgetQueues?: ReadonlyMap<string, string>;
  /** How often to poll GetFunction while an update settles. GetFunction has its own 100/s quota. */
  updatePollIntervalMs?: number;
  /** Release notifications: the HMAC secret (`RAMP_NOTIFY_SECRET`); without one, deliveries are unsigned. */
  notify?: { secret?: string };
}
