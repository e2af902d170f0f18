import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import type { HealthConfig } from '../../src/domain/health-spec.ts';
import type { HealthCheckInput } from '../../src/domain/health-verdict.ts';
import { createCloudWatchHealthGate } from '../../src/health/cloudwatch-health-gate.ts';
import { createCanary, TestClock, withSim } from '../sim/fixtures.ts';

// The gate against the simulator's CloudWatch through the real SDK: the sequential judge reads the
// per-minute datapoints published since the shift.
const health: HealthConfig = {
  intervalMs: 1000,
  alarms: [],
  preexistingAlarms: 'ignore',
  metrics: { minInvocations: 20, confidence: 0.99, insufficientTraffic: 'wait' },
};

const inputFor = (region: string, trafficMovedAt: Date, judge?: 'sequential'): HealthCheckInput => ({
  functionName: 'canary',
  region,
  alias: 'live',
  stableVersion: '1',
  candidateVersion: '2',
  candidateWeightPercent: 50,
  stage: 'step',
  stepIndex: 0,
  health,
  trafficMovedAt: trafficMovedAt.toISOString(),
  ...(judge ? { judge } : {}),
});

describe('the CloudWatch health gate with the sequential judge', () => {
  test('waits for CloudWatch before any datapoint is published, then rolls back a failing candidate', async () => {
    // CloudWatch's ingestion delay (60 s, as on AWS) is passed on the simulator's clock, not waited for.
    const clock = new TestClock();
    await withSim({ clock, metricDelayMs: 60_000 }, async (sim, lambda) => {
      await createCanary(lambda, 'canary', { errorRate: 1 }, 0.5);
      const aws = createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials });
      const gate = createCloudWatchHealthGate(aws, () => new Date(clock.now()));
      const region = sim.clientConfig.region as string;
      const shift = new Date(clock.now() - 1000);
      const waiting = await gate.check(inputFor(region, shift, 'sequential'));
      assert.equal(waiting.status, 'inconclusive');
      assert.equal(
        waiting.message,
        `waiting for CloudWatch (data up to ${shift.toISOString().slice(11, 19)})`,
      );
      for (let i = 0; i < 120; i++)
        await lambda.send(new InvokeCommand({ FunctionName: 'canary', Qualifier: 'live' }));
      const unpublished = await gate.check(inputFor(region, shift, 'sequential'));
      assert.equal(unpublished.status, 'inconclusive', 'nothing is published before the delay has passed');
      clock.advance(125_000);
      const verdict = await gate.check(inputFor(region, shift, 'sequential'));
      assert.equal(verdict.status, 'fail');
      assert.match(verdict.message, /error rate vs stable ×1\.2: 100\.00%/);
      assert.match(verdict.message, /always-valid p=/);
    });
  });

  test('without `judge`, the gate keeps the fixed judge that running releases started with', async () => {
    await withSim({}, async (sim, lambda) => {
      await createCanary(lambda, 'canary', {}, 0.5);
      const aws = createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials });
      const gate = createCloudWatchHealthGate(aws);
      const region = sim.clientConfig.region as string;
      const verdict = await gate.check(inputFor(region, new Date(Date.now() - 1000)));
      assert.equal(verdict.status, 'inconclusive');
      assert.match(verdict.message, /0 invocations of the candidate/);
    });
  });
});
