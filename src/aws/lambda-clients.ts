import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/**
 * SDK clients per region. `maxAttempts: 1`: Temporal's retry policy is the single, visible source of
 * retries (the SDK's own 3 attempts would hide throttling from it and multiply with it). Endpoints come
 * from the SDK's standard settings (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL), which is how tests and the local stack point the real SDK at the simulator. S3 is read for
 * code that lives there (its SHA-256, known before Lambda is asked to deploy it).
 */
export interface AwsClients {
  lambda(region: string): LambdaClient;
  cloudWatch(region: string): CloudWatchClient;
  s3(region: string): S3Client;
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
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const lambdas = new Map<string, LambdaClient>();
  const cloudWatches = new Map<string, CloudWatchClient>();
  const s3s = new Map<string, S3Client>();
  let account: Promise<string> | undefined;
  const config = {
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return {
    lambda(region) {
      let client = lambdas.get(region);
      if (!client) {
        client = new LambdaClient({ ...config, region });
        lambdas.set(region, client);
      }
      return client;
    },
    cloudWatch(region) {
      let client = cloudWatches.get(region);
      if (!client) {
        client = new CloudWatchClient({ ...config, region });
        cloudWatches.set(region, client);
      }
      return client;
    },
    s3(region) {
      let client = s3s.get(region);
      if (!client) {
        client = new S3Client({
          ...config,
          region,
          forcePathStyle: options.s3ForcePathStyle ?? options.endpoint !== undefined,
        });
        s3s.set(region, client);
      }
      return client;
    },
    accountId() {
      account ??= (async () => {
        // STS is global; the SDK still wants a region. AWS_ENDPOINT_URL_STS points it at the simulator.
        const sts = new STSClient({
          ...config,
          maxAttempts: 3,
          region: process.env.AWS_REGION ?? 'us-east-1',
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
