import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { AwsClients } from '../aws/lambda-clients.ts';
import type { HealthGate } from '../health/health-gate.ts';

/** Everything activities need, built once by a composition root (worker, tests) and passed in. */
export interface ActivityDeps {
  aws: AwsClients;
  artifacts: ArtifactStore;
  healthGate: HealthGate;
  /** How often to poll GetFunction while an update settles. GetFunction has its own 100/s quota. */
  updatePollIntervalMs?: number;
  /** Release notifications: the HMAC secret (`RAMP_NOTIFY_SECRET`); without one, deliveries are unsigned. */
  notify?: { secret?: string };
}
