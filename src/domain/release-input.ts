import type { HealthConfig } from './health-spec.ts';
import type { NotifyConfig } from './notifications.ts';
import type { ReleasePlan } from './release-plan.ts';
import type { StrategyInput } from './strategies.ts';

/**
 * What a release workflow receives. Never the package itself: Temporal refuses payloads over 2 MB and
 * keeps every payload in the history forever, while a zip may be 50 MB. An inline zip is staged by its
 * SHA-256 in the artifact store before the workflow starts; the workflow carries the reference.
 */
export type CodeRef =
  | {
      kind: 'staged';
      /** Artifact store key, derived from the hash. */
      key: string;
      /** base64 of the SHA-256 of the zip: exactly the CodeSha256 Lambda will report for it. */
      codeSha256: string;
      sizeBytes: number;
    }
  | { kind: 's3'; bucket: string; key: string; objectVersion?: string }
  | { kind: 'image'; imageUri: string }
  /** An already-published version: no update and no publish, only the traffic shift (CodeDeploy's model). */
  | { kind: 'version'; version: string };

/** One input object, so fields can be added without breaking running releases. */
export interface ReleaseInput {
  /** The function as the caller named it (name, full or partial ARN): passed to Lambda as is. */
  functionName: string;
  /** The bare function name, for display, identity and search attributes. */
  functionShortName: string;
  /** Always resolved at the edge (spec, ARN, then the server's default). */
  region: string;
  alias: string;
  code: CodeRef;
  expectedRevisionId?: string;
  strategy: StrategyInput;
  /**
   * The steps, computed from `strategy` before the start. Always set by releases started since the
   * release-safety patch; absent only in inputs recorded before it.
   */
  plan?: ReleasePlan;
  description?: string;
  approvalTimeoutMs: number;
  /** How long a pause may hold the release before it rolls back. Default: the approval timeout. */
  maxPauseMs?: number;
  /** How long to wait for Lambda to finish the code update before the release fails. Default 15 min. */
  updateTimeoutMs?: number;
  /** Create the alias when it does not exist (a first release). Without it a missing alias is refused. */
  createAlias?: boolean;
  /** Health analysis between steps and validation hooks; absent means no checks (the gate passes). */
  health?: HealthConfig;
  /** Who asked (API token name, CLI user), for the timeline and audit. */
  requestedBy?: string;
  /**
   * Where notifications go: the spec's targets and the server's defaults, merged at the edge, and the
   * public URL for links. Never the signing secret: the worker holds that.
   */
  notify?: NotifyConfig;
  /**
   * Cross-account: the IAM role every AWS call of the release acts through (the worker assumes it), and the
   * ExternalId its trust policy demands. Absent: the worker's own credentials.
   */
  roleArn?: string;
  externalId?: string;
}
