import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AssumedRole, assumedRoleCredentials } from './assume-role.ts';

export type { AssumedRole } from './assume-role.ts';

/**
 * SDK clients per region. `maxAttempts: 1`: Temporal's retry policy is the single, visible source of
 * retries (the SDK's own 3 attempts would hide throttling from it and multiply with it). Endpoints come
 * from the SDK's standard settings (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL), which is how tests and the local stack point the real SDK at the simulator. S3 is read for
 * code that lives there (its SHA-256, known before Lambda is asked to deploy it).
 *
 * With a `role` (a cross-account release), the clients act through that role: credentials from STS AssumeRole
 * (assume-role.ts), one set per role session (role, ExternalId and session name, which is the release's),
 * shared by the session's clients in every region and refreshed before they expire. Without one, the default
 * credential chain, as before.
 */
export interface AwsClients {
  lambda(region: string, role?: AssumedRole): LambdaClient;
  cloudWatch(region: string, role?: AssumedRole): CloudWatchClient;
  s3(region: string, role?: AssumedRole): S3Client;
  /** The account the credentials act in (STS GetCallerIdentity, asked once). */
  accountId(): Promise<string>;
}

export interface AwsClientOptions {
  maxAttempts?: number;
  /** Explicit endpoint and credentials (tests with a simulator of their own); env settings otherwise. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * Path-style S3 addressing (`endpoint/bucket/key`), which an endpoint that is not AWS's (the simulator) needs:
   * virtual-hosted style would put the bucket in the host name. Default: on when `endpoint` is given.
   */
  s3ForcePathStyle?: boolean;
  /** How many role sessions keep their clients (least recently used first out). Default 256. */
  maxRoleSessions?: number;
}

/** Clients of one credential set (the default chain, or one role session), by service and region. */
interface ClientSet {
  lambdas: Map<string, LambdaClient>;
  cloudWatches: Map<string, CloudWatchClient>;
  s3s: Map<string, S3Client>;
  credentials?: ReturnType<typeof assumedRoleCredentials>;
}

const emptySet = (): ClientSet => ({ lambdas: new Map(), cloudWatches: new Map(), s3s: new Map() });

function cached<C>(clients: Map<string, C>, region: string, create: () => C): C {
  let client = clients.get(region);
  if (!client) {
    client = create();
    clients.set(region, client);
  }
  return client;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const own = emptySet();
  // A Map keeps insertion order: a session used again is moved to the end, the first is the least recent.
  const sessions = new Map<string, ClientSet>();
  const maxRoleSessions = options.maxRoleSessions ?? 256;
  let account: Promise<string> | undefined;
  const config = {
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const stsRegion = () => process.env.AWS_REGION ?? 'us-east-1';

  function setOf(role: AssumedRole | undefined): ClientSet {
    if (!role) return own;
    const key = JSON.stringify([role.roleArn, role.externalId ?? null, role.sessionName]);
    let set = sessions.get(key);
    if (set) {
      sessions.delete(key);
    } else {
      set = {
        ...emptySet(),
        credentials: assumedRoleCredentials(role, {
          region: stsRegion(),
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(options.credentials ? { masterCredentials: options.credentials } : {}),
        }),
      };
    }
    sessions.set(key, set);
    // Evicted clients are not destroyed: an activity may still hold one; they are collected once unused.
    while (sessions.size > maxRoleSessions) sessions.delete(sessions.keys().next().value as string);
    return set;
  }
  const configOf = (set: ClientSet, region: string) => ({
    ...config,
    region,
    ...(set.credentials ? { credentials: set.credentials } : {}),
  });

  return {
    lambda(region, role) {
      const set = setOf(role);
      return cached(set.lambdas, region, () => new LambdaClient(configOf(set, region)));
    },
    cloudWatch(region, role) {
      const set = setOf(role);
      return cached(set.cloudWatches, region, () => new CloudWatchClient(configOf(set, region)));
    },
    s3(region, role) {
      const set = setOf(role);
      return cached(
        set.s3s,
        region,
        () =>
          new S3Client({
            ...configOf(set, region),
            forcePathStyle: options.s3ForcePathStyle ?? options.endpoint !== undefined,
          }),
      );
    },
    accountId() {
      account ??= (async () => {
        // STS is global; the SDK still wants a region. AWS_ENDPOINT_URL_STS points it at the simulator.
        const sts = new STSClient({
          ...config,
          maxAttempts: 3,
          region: stsRegion(),
        });
        try {
          const identity = await sts.send(new GetCallerIdentityCommand({}));
          if (!identity.Account) throw new Error('STS GetCallerIdentity answered without an Account');
          return identity.Account;
        } finally {
          sts.destroy();
        }
      })();
      // A failed look-up is asked again next time, not remembered.
      account.catch(() => {
        account = undefined;
      });
      return account;
    },
  };
}
