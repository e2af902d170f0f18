import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createWaitForUpdate } from '../../src/activities/wait-for-update.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { alwaysHealthy } from '../../src/health/health-gate.ts';
import { role, withSim, zipOf } from '../sim/fixtures.ts';

describe('waiting for an update', () => {
  test("an update that stays InProgress past the wait's timeout fails with UpdateTimedOut, carrying Lambda's last status and reason", async () => {
    await withSim({ updateDelayMs: 1_500 }, async (sim, lambda) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'stuck',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf() },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'stuck' },
      );
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'stuck', ZipFile: zipOf() }));
      const during = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'stuck' }));
      assert.equal(during.LastUpdateStatus, 'InProgress');
      const waitForUpdate = createWaitForUpdate({
        aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
        artifacts: createFileArtifactStore('/nonexistent'),
        healthGate: alwaysHealthy,
        updatePollIntervalMs: 25,
      });

      const failure = await new MockActivityEnvironment()
        .run(waitForUpdate, { functionName: 'stuck', region: 'us-east-1', timeoutMs: 200 })
        .catch((error: unknown) => error);

      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.type, 'UpdateTimedOut');
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /did not complete within/);
      assert.match(failure.message, /LastUpdateStatus InProgress/);
      assert.ok(during.LastUpdateStatusReason);
      assert.ok(failure.message.includes(during.LastUpdateStatusReason), failure.message);
      const details = failure.details?.[0] as { lastUpdateStatus: string; lastUpdateStatusReason: string };
      assert.equal(details.lastUpdateStatus, 'InProgress');
      assert.equal(details.lastUpdateStatusReason, during.LastUpdateStatusReason);
    });
  });

  test('without a timeout, the same update is waited out and settles', async () => {
    await withSim({ updateDelayMs: 300 }, async (sim, lambda) => {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'slow',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: zipOf() },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'slow' },
      );
      const updated = await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'slow', ZipFile: zipOf() }),
      );
      const waitForUpdate = createWaitForUpdate({
        aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
        artifacts: createFileArtifactStore('/nonexistent'),
        healthGate: alwaysHealthy,
        updatePollIntervalMs: 25,
      });
      const settled = await new MockActivityEnvironment().run(waitForUpdate, {
        functionName: 'slow',
        region: 'us-east-1',
      });
      assert.equal((settled as { codeSha256: string }).codeSha256, updated.CodeSha256);
    });
  });
});
