/**
 * Trains on top of the release stack: a train client over the same worker, functions in any region of
 * the simulator, and waiting on a train's status.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { type TrainSpecInput, validateTrainSpec } from '../../src/domain/train-spec.ts';
import type { TrainStatus } from '../../src/domain/train-status.ts';
import type { TrainClient } from '../../src/releases/train-client.ts';
import type { ReleaseStack } from './release-stack.ts';
import { zipWith } from './release-stack.ts';
import { waitForState } from './wait-for.ts';

export interface TrainKit {
  trains: TrainClient;
  lambdaIn(region: string): LambdaClient;
  /** A function with a first published version behind `alias`, in `region`; returns that version. */
  createFunctionIn(region: string, name: string, alias?: string): Promise<string>;
  aliasIn(
    region: string,
    name: string,
    alias?: string,
  ): Promise<{ version: string; revisionId: string; routing: unknown }>;
  startTrain(spec: TrainSpecInput, options?: { idempotencyKey?: string }): Promise<string>;
  waitForTrain(
    id: string,
    predicate: (status: TrainStatus) => boolean,
    timeoutMs?: number,
  ): Promise<TrainStatus>;
  close(): void;
}

export function trainKit(stack: ReleaseStack): TrainKit {
  const clients = new Map<string, LambdaClient>();
  const trains = stack.trains;
  const lambdaIn = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new LambdaClient({ ...stack.sim.clientConfig, region, maxAttempts: 1 });
      clients.set(region, client);
    }
    return client;
  };
  return {
    trains,
    lambdaIn,
    async createFunctionIn(region, name, alias = 'live') {
      const lambda = lambdaIn(region);
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Role: 'arn:aws:iam::123456789012:role/lambda-role',
          Handler: 'index.handler',
          Code: { ZipFile: zipWith({}, `${name}-${region}-v1`) },
          Publish: true,
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 30, minDelay: 1 },
        { FunctionName: name },
      );
      const version = created.Version ?? '1';
      await lambda.send(
        new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version }),
      );
      return version;
    },
    async aliasIn(region, name, alias = 'live') {
      const found = await lambdaIn(region).send(new GetAliasCommand({ FunctionName: name, Name: alias }));
      return {
        version: found.FunctionVersion ?? '',
        revisionId: found.RevisionId ?? '',
        routing: found.RoutingConfig?.AdditionalVersionWeights,
      };
    },
    async startTrain(spec, options = {}) {
      const result = validateTrainSpec(spec);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return (await trains.start(result.spec, options)).trainId;
    },
    waitForTrain(id, predicate, timeoutMs = 60_000) {
      return waitForState(() => trains.status(id), predicate, { timeoutMs, what: 'train', intervalMs: 100 });
    },
    close() {
      for (const client of clients.values()) client.destroy();
    },
  };
}

/** The outcome of each target, wave by wave, as `function@region: outcome`. */
export function outcomesOf(status: TrainStatus): string[][] {
  return status.waves.map((wave) => wave.targets.map((t) => `${t.function}@${t.region}: ${t.outcome}`));
}
