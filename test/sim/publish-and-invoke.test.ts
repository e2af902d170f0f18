import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { createCanary, role, TestClock, withSim, zipOf } from './fixtures.ts';

describe('publishing with an update, and invocation types', () => {
  test('UpdateFunctionCode with Publish answers with the new version, Pending until the update settles', async () => {
    const clock = new TestClock();
    await withSim({ updateDelayMs: 300, clock }, async (_sim, lambda) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'pub',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf() },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'pub' },
      );
      const zip = zipOf({}, 'v1');
      // Time stands still while the update is in progress, so its Pending version is seen on any machine.
      clock.pause();
      const published = await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'pub', ZipFile: zip, Publish: true }),
      );
      assert.equal(published.Version, '1');
      assert.equal(published.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:pub:1');
      assert.equal(published.State, 'Pending');
      assert.equal(published.StateReasonCode, 'Creating');
      const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'pub' }));
      assert.equal(latest.LastUpdateStatus, 'InProgress');
      assert.equal(latest.CodeSha256, published.CodeSha256);
      clock.resume();

      await waitUntilPublishedVersionActive(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'pub', Qualifier: '1' },
      );
      const active = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'pub', Qualifier: '1' }),
      );
      assert.equal(active.State, 'Active');

      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'pub' },
      );
      const again = await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'pub', ZipFile: zip, Publish: true }),
      );
      assert.equal(again.Version, '1', 'the same code and configuration give back the newest version');
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'pub' }));
      assert.deepEqual(
        versions.Versions?.map((v) => v.Version),
        ['$LATEST', '1'],
      );
    });
  });

  test('an Event invocation answers 202 and still counts; a DryRun answers 204 and runs nothing', async () => {
    await withSim({}, async (sim, lambda) => {
      await createCanary(lambda, 'async', {}, 0.5);
      const event = await lambda.send(
        new InvokeCommand({ FunctionName: 'async', Qualifier: 'live', InvocationType: 'Event' }),
      );
      assert.equal(event.StatusCode, 202);
      assert.equal(
        sim.metrics.query({
          region: 'us-east-1',
          namespace: 'AWS/Lambda',
          metricName: 'Invocations',
          dimensions: { FunctionName: 'async' },
          stat: 'Sum',
          periodSeconds: 60,
          startMs: sim.clock.now() - 60_000,
          endMs: sim.clock.now() + 1000,
        }).values[0],
        1,
      );

      const dryRun = await lambda.send(
        new InvokeCommand({ FunctionName: 'async', Qualifier: 'live', InvocationType: 'DryRun' }),
      );
      assert.equal(dryRun.StatusCode, 204);
      assert.equal(
        sim.metrics.query({
          region: 'us-east-1',
          namespace: 'AWS/Lambda',
          metricName: 'Invocations',
          dimensions: { FunctionName: 'async' },
          stat: 'Sum',
          periodSeconds: 60,
          startMs: sim.clock.now() - 60_000,
          endMs: sim.clock.now() + 1000,
        }).values[0],
        1,
        'a DryRun is not an invocation',
      );

      const missing = await lambda
        .send(new InvokeCommand({ FunctionName: 'async', Qualifier: 'nope', InvocationType: 'DryRun' }))
        .catch((error: unknown) => error);
      assert.ok(missing instanceof ResourceNotFoundException);
      assert.equal(
        missing.message,
        'Function not found: arn:aws:lambda:us-east-1:123456789012:function:async:nope',
      );
    });
  });

  test('Invoke of a function that does not exist names $LATEST in the 404, as Lambda does', async () => {
    await withSim({}, async (_sim, lambda) => {
      const error = await lambda.send(new InvokeCommand({ FunctionName: 'ghost' })).catch((e: unknown) => e);
      assert.ok(error instanceof ResourceNotFoundException);
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.equal(
        error.message,
        'Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost:$LATEST',
      );
    });
  });
});
