import { RegionalMap } from './regional-map.ts';

/**
 * Lambda's control-plane request quotas per account and region: GetFunction 100/s on its own; every other
 * control-plane call shares one 15/s bucket (GetFunctionConfiguration included). Invoke is not counted.
 */
export const controlPlaneRates = { getFunctionPerSecond: 100, sharedPerSecond: 15 } as const;

class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: () => number,
  ) {
    this.tokens = ratePerSecond;
    this.updatedAt = clock();
  }

  /** Takes one token; when empty, answers how long until one is back. */
  take(): { isAllowed: true } | { isAllowed: false; waitMs: number } {
    const now = this.clock();
    this.tokens = Math.min(
      this.ratePerSecond,
      this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond,
    );
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { isAllowed: true };
    }
    return { isAllowed: false, waitMs: ((1 - this.tokens) / this.ratePerSecond) * 1000 };
  }
}

export class ControlPlaneQuota {
  private readonly buckets = new RegionalMap<TokenBucket>();

  constructor(private readonly clock: () => number) {}

  take(region: string, operation: string): { isAllowed: true } | { isAllowed: false; waitMs: number } {
    const isGetFunction = operation === 'GetFunction';
    const name = isGetFunction ? 'GetFunction' : 'shared';
    let bucket = this.buckets.get(region, name);
    if (!bucket) {
      bucket = new TokenBucket(
        isGetFunction ? controlPlaneRates.getFunctionPerSecond : controlPlaneRates.sharedPerSecond,
        this.clock,
      );
      this.buckets.set(region, name, bucket);
    }
    return bucket.take();
  }
}

/**
 * CloudWatch's API rate quotas per account and region (the CloudWatch service quotas page): GetMetricData
 * 50/s, DescribeAlarms 9/s, SetAlarmState 3/s. A throttled call answers 400 `Throttling`, "Rate exceeded".
 */
export const cloudWatchRates: Readonly<Record<string, number>> = {
  GetMetricData: 50,
  DescribeAlarms: 9,
  SetAlarmState: 3,
};

export class CloudWatchQuota {
  private readonly buckets = new RegionalMap<TokenBucket>();

  constructor(private readonly clock: () => number) {}

  take(region: string, operation: string): { isAllowed: true } | { isAllowed: false; waitMs: number } {
    const rate = cloudWatchRates[operation];
    if (rate === undefined) return { isAllowed: true };
    let bucket = this.buckets.get(region, operation);
    if (!bucket) {
      bucket = new TokenBucket(rate, this.clock);
      this.buckets.set(region, operation, bucket);
    }
    return bucket.take();
  }
}
