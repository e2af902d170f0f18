import { healthyBehaviour, sampleLatencyMs } from './behaviour.ts';
import { sleep } from './fault-pipeline.ts';
import type { FaultController } from './faults.ts';
import type { Context, FunctionRegistry } from './function-registry.ts';
import { routeInvocation } from './invoke-routing.ts';
import type { Reply } from './lambda-service.ts';
import type { MetricStore } from './metrics.ts';
import { SimError } from './sim-error.ts';
import type { TrafficOptions } from './traffic.ts';

export interface InvocationResult {
  executedVersion: string;
  isError: boolean;
  isThrottled: boolean;
  durationMs: number;
}

/**
 * Invocations, whoever makes them (the traffic generator, a test, any client over HTTP): routed by the
 * alias's weights, run as the version's package (or a fault override) says, and counted in the metrics.
 */
export class Invoker {
  /** Synchronous invocations running now, per region and function: what reserved concurrency limits. */
  private readonly running = new Map<string, number>();

  constructor(
    private readonly deps: {
      registry: FunctionRegistry;
      faults: FaultController;
      metrics: MetricStore;
      random: () => number;
      clock: () => number;
      accountId: string;
      defaultRegion: string;
    },
  ) {}

  /** `isOverConcurrency`: the function's reserved concurrency is all in use, so Lambda throttles this one. */
  invoke(traffic: Omit<TrafficOptions, 'ratePerSecond'>, isOverConcurrency = false): InvocationResult {
    const { registry, faults, metrics, random, clock, accountId } = this.deps;
    const region = traffic.region ?? this.deps.defaultRegion;
    const context: Context = { region, accountId };
    const routed = routeInvocation(
      registry,
      context,
      traffic.functionName,
      traffic.qualifier ?? null,
      random,
    );
    const behaviour = {
      ...(routed.behaviour ?? healthyBehaviour),
      ...faults.behaviourOf(routed.fn.name, routed.executedVersion),
    };
    const isThrottled = isOverConcurrency || random() < behaviour.throttleRate;
    const isError = !isThrottled && random() < behaviour.errorRate;
    const durationMs = isThrottled ? 0 : sampleLatencyMs(behaviour, random);
    metrics.record({
      at: clock(),
      region,
      functionName: routed.fn.name,
      resource: traffic.qualifier ? `${routed.fn.name}:${traffic.qualifier}` : undefined,
      executedVersion: routed.viaAlias ? routed.executedVersion : undefined,
      durationMs,
      isError,
      isThrottled,
    });
    return { executedVersion: routed.executedVersion, isError, isThrottled, durationMs };
  }

  private functionOf(context: Context, functionName: string) {
    try {
      return this.deps.registry.find(context, functionName).fn;
    } catch {
      return undefined; // routing reports the missing function as Lambda does
    }
  }

  /** Invoke as Lambda answers it on the wire, for each invocation type. */
  async invokeOverHttp(
    context: Context,
    functionName: string,
    qualifier: string | null,
    invocationType: string,
  ): Promise<Reply> {
    if (invocationType === 'DryRun') {
      // DryRun checks that the function and qualifier exist and may be invoked, and runs nothing.
      routeInvocation(this.deps.registry, context, functionName, qualifier, this.deps.random);
      return { status: 204 };
    }
    if (invocationType !== 'Event' && invocationType !== 'RequestResponse') {
      throw new SimError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
        { hasType: false },
      );
    }
    // Reserved concurrency bounds the synchronous invocations running at once; one more is throttled and counted in
    // Throttles. (The traffic generator's invocations take no time, so they hold none.)
    const fn = invocationType === 'RequestResponse' ? this.functionOf(context, functionName) : undefined;
    const runningKey = fn ? `${context.region}/${fn.name}` : '';
    const isOverConcurrency =
      fn?.reservedConcurrency !== undefined && (this.running.get(runningKey) ?? 0) >= fn.reservedConcurrency;
    const result = this.invoke(
      { functionName, ...(qualifier ? { qualifier } : {}), region: context.region },
      isOverConcurrency,
    );
    // An asynchronous invocation is queued and answered at once; Lambda retries a throttled one itself, and
    // it still runs and counts in the metrics.
    if (invocationType === 'Event') return { status: 202 };
    if (result.isThrottled) {
      throw new SimError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
        extraBody: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
      });
    }
    // The caller waits as long as the version takes (capped, so a slow version cannot hang a test).
    this.running.set(runningKey, (this.running.get(runningKey) ?? 0) + 1);
    try {
      await sleep(Math.min(result.durationMs, 10_000));
    } finally {
      this.running.set(runningKey, (this.running.get(runningKey) ?? 1) - 1);
    }
    const headers: Record<string, string> = { 'X-Amz-Executed-Version': result.executedVersion };
    if (result.isError) {
      headers['X-Amz-Function-Error'] = 'Unhandled';
      return {
        status: 200,
        headers,
        body: { errorType: 'Error', errorMessage: `Simulated failure of version ${result.executedVersion}` },
      };
    }
    return { status: 200, headers, body: { statusCode: 200, version: result.executedVersion } };
  }
}
