import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { type SimClock, type Simulator, startSimulator } from '../../src/sim/index.ts';

export const role = 'arn:aws:iam::123456789012:role/lambda-role';

/** A deployment package whose simulate.json says how the version behaves; the marker makes each zip unique. */
export const zipOf = (behaviour: object = {}, marker = String(Math.random())) =>
  zipSync({
    'index.mjs': new TextEncoder().encode(marker),
    'simulate.json': new TextEncoder().encode(JSON.stringify(behaviour)),
  });

/** The wall clock plus an offset a test moves forward, so the simulator's time passes without sleeping. */
export const startOfMinute = (ms: number) => Math.floor(ms / 60_000) * 60_000;

export class TestClock implements SimClock {
  private offsetMs = 0;

  constructor(startMs = Date.now()) {
    this.offsetMs = startMs - Date.now();
  }

  private pausedAt: number | undefined;

  now(): number {
    return this.pausedAt ?? Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
    if (this.pausedAt !== undefined) this.pausedAt += ms;
  }

  /** Stops time, so what a burst of calls sees does not depend on how fast a loaded machine serves it. */
  pause(): void {
    this.pausedAt = this.now();
  }

  /** Time flows again from where it stood. */
  resume(): void {
    if (this.pausedAt === undefined) return;
    this.offsetMs = this.pausedAt - Date.now();
    this.pausedAt = undefined;
  }
}

export async function withSim(
  options: Parameters<typeof startSimulator>[0],
  body: (sim: Simulator, lambda: LambdaClient, cloudWatch: CloudWatchClient) => Promise<void>,
): Promise<void> {
  const sim = await startSimulator({
    updateDelayMs: 50,
    seed: 7,
    // These tests are about what the metrics say, not when: they see each invocation at once. The
    // CloudWatch-time conformance test sets its own delay.
    metricDelayMs: 0,
    // Time starts at the top of a minute, so a test's invocations share one minute's datapoint instead of
    // straddling two when the wall clock crosses a minute mid-test.
    clock: new TestClock(startOfMinute(Date.now()) + 1000),
    ...options,
  });
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
  const cloudWatch = new CloudWatchClient({ ...sim.clientConfig, maxAttempts: 1 });
  try {
    await body(sim, lambda, cloudWatch);
  } finally {
    lambda.destroy();
    cloudWatch.destroy();
    await sim.close();
  }
}

/** v1 healthy, v2 as `candidate` says, alias `live` on v1 with v2 at `weight`. */
export async function createCanary(
  lambda: LambdaClient,
  name: string,
  candidate: object,
  weight: number,
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zipOf() },
      Publish: true,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipOf(candidate) }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
  await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await lambda.send(
    new CreateAliasCommand({
      FunctionName: name,
      Name: 'live',
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { '2': weight } },
    }),
  );
}

/** Polls until `isDone` or the deadline; returns the last reading either way, for the assertion to judge. */
export { eventually } from '../helpers/wait-for.ts';
