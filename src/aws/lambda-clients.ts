import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * SDK clients per region. `maxAttempts: 1`: Temporal's retry policy is the single, visible source of
 * retries (the SDK's own 3 attempts would hide throttling from it and multiply with it). Endpoints come
 * from the SDK's standard settings (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL),
 * which is how tests and the local stack point the real SDK at the simulator.
 */
export interface AwsClients {
  lambda(region: string): LambdaClient;
  cloudWatch(region: string): CloudWatchClient;
}

export interface AwsClientOptions {
  maxAttempts?: number;
  /** Explicit endpoint and credentials (tests with a simulator of their own); env settings otherwise. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const lambdas = new Map<string, LambdaClient>();
  const cloudWatches = new Map<string, CloudWatchClient>();
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
  };
}
