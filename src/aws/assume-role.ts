import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** The SDK's credential shapes, named through the provider (no direct dependency on @aws-sdk/types). */
type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

/**
 * Credentials for a cross-account release: the SDK's own `fromTemporaryCredentials` (STS AssumeRole, with the
 * worker's default credentials as the source), shared by every client of one role session. STS's endpoint
 * follows the SDK's standard settings (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL) unless one is given.
 */
export interface AssumedRole {
  roleArn: string;
  externalId?: string;
  /** STS RoleSessionName (2–64 characters of [\w+=,.@-]): derived from the release id. */
  sessionName: string;
}

/**
 * AssumeRole failed: the role does not exist, its trust policy does not name the worker, or the ExternalId is
 * wrong (AccessDenied), or STS could not be reached. `cause` is STS's own error; classify-error.ts reads it.
 */
export class RoleAssumptionError extends Error {
  override name = 'RoleAssumptionError';
  constructor(
    readonly roleArn: string,
    readonly hasExternalId: boolean,
    override readonly cause: unknown,
  ) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`cannot assume role ${roleArn} (${hasExternalId ? 'with' : 'without'} an ExternalId): ${what}`, {
      cause,
    });
  }
}

/** Refresh this long before the credentials expire, as the SDK's own memoization does. */
const refreshBeforeExpiryMs = 5 * 60_000;

export interface AssumeRoleOptions {
  /** The STS endpoint (tests with a simulator of their own); the SDK's settings otherwise. */
  endpoint?: string;
  /** The credentials AssumeRole is signed with; the default chain otherwise. */
  masterCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
}

/**
 * A provider that assumes `role` once and again shortly before the credentials expire: one set shared by the
 * role session's Lambda, CloudWatch and S3 clients in every region (each SDK client would otherwise assume the
 * role on its own). A failure is not remembered: the next call asks STS again.
 */
export function assumedRoleCredentials(
  role: AssumedRole,
  options: AssumeRoleOptions,
  clock: () => number = Date.now,
): AwsCredentialIdentityProvider {
  const assume = fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      RoleSessionName: role.sessionName,
      ...(role.externalId ? { ExternalId: role.externalId } : {}),
    },
    ...(options.masterCredentials ? { masterCredentials: options.masterCredentials } : {}),
    clientConfig: {
      region: options.region,
      // Temporal's retry policy is the one source of retries, as for every other client.
      maxAttempts: 1,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    },
  });
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const isFresh = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined ||
    credentials.expiration.getTime() - clock() > refreshBeforeExpiryMs;
  return async () => {
    if (current && isFresh(current)) return current;
    pending ??= assume()
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
      .catch((error: unknown) => {
        throw new RoleAssumptionError(role.roleArn, role.externalId !== undefined, error);
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
