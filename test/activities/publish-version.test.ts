import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createListVersions } from '../../src/activities/list-versions.ts';
import { createPublishVersion } from '../../src/activities/publish-version.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { alwaysHealthy } from '../../src/health/health-gate.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { zipWith } from '../helpers/release-stack.ts';

// The publish activity alone, against the simulator through the real SDK: the CodeSha256 guard's conflict
// (which Lambda reports as a 400, not a 412) names the guard and both hashes.
describe('the publish activity', () => {
  test("a CodeSha256 that is no longer $LATEST's is a terminal Conflict naming the codeSha256 guard and both hashes", async () => {
    const sim = await startSimulator({ updateDelayMs: 20 });
    const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'p',
          Role: 'arn:aws:iam::123456789012:role/r',
          Runtime: 'nodejs20.x',
          Handler: 'i.h',
          Code: { ZipFile: zipWith({}, 'a') },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'p' },
      );
      const ours = await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'p', ZipFile: zipWith({}, 'ours') }),
      );
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'p' },
      );
      // Someone else's code lands; the release still holds a fresh RevisionId (read after their update).
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'p', ZipFile: zipWith({}, 'theirs') }));
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'p' },
      );
      const now = (await lambda.send(new GetFunctionCommand({ FunctionName: 'p' }))).Configuration;
      const publishVersion = createPublishVersion({
        aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
        artifacts: createFileArtifactStore('/nonexistent'),
        healthGate: alwaysHealthy,
      });

      const failure = await new MockActivityEnvironment()
        .run(publishVersion, {
          functionName: 'p',
          region: 'us-east-1',
          codeSha256: ours.CodeSha256 ?? '',
          revisionId: now?.RevisionId ?? '',
        })
        .catch((error: unknown) => error);

      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, 'Conflict');
      assert.equal(failure.nonRetryable, true);
      const details = failure.details?.[0] as { guard: string; expected: string; found: string };
      assert.equal(details.guard, 'codeSha256');
      assert.equal(details.expected, ours.CodeSha256);
      assert.equal(details.found, now?.CodeSha256);
      assert.match(failure.message, /CodeSha256 was expected to be/);
    } finally {
      lambda.destroy();
      await sim.close();
    }
  });

  test("recovery after a lost PublishVersion response never takes a throttled listing for 'no versions': it retries, then finds its own version", async () => {
    const sim = await startSimulator({ updateDelayMs: 20 });
    const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'p',
          Role: 'arn:aws:iam::123456789012:role/r',
          Runtime: 'nodejs20.x',
          Handler: 'i.h',
          Code: { ZipFile: zipWith({}, 'a') },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'p' },
      );
      const ours = await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'p', ZipFile: zipWith({}, 'ours') }),
      );
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'p' },
      );
      const settled = (await lambda.send(new GetFunctionCommand({ FunctionName: 'p' }))).Configuration;
      const deps = {
        aws: createAwsClients({ endpoint: sim.endpoint, credentials: sim.clientConfig.credentials }),
        artifacts: createFileArtifactStore('/nonexistent'),
        healthGate: alwaysHealthy,
      };
      const publishVersion = createPublishVersion(deps);
      // The workflow records the versions before it publishes, as an activity result in its history.
      const versionsBefore = await new MockActivityEnvironment().run(createListVersions(deps), {
        functionName: 'p',
        region: 'us-east-1',
      });
      assert.deepEqual(versionsBefore, []);
      const input = {
        functionName: 'p',
        region: 'us-east-1',
        codeSha256: ours.CodeSha256 ?? '',
        revisionId: settled?.RevisionId ?? '',
        versionsBefore,
      };

      // Attempt 1: the publish lands, its response is lost.
      sim.faults.loseResponse({ operation: 'PublishVersion', count: 1 });
      const lost = await new MockActivityEnvironment({ attempt: 1 })
        .run(publishVersion, input)
        .catch((e: unknown) => e);
      assert.ok(lost instanceof ApplicationFailure);
      assert.equal(lost.type, 'Transient');
      // Attempt 2: its own guard fails (the publish rotated the RevisionId) and the listing that would
      // recognise it is throttled: a retryable Throttled, not a false Conflict.
      sim.faults.throttle({ operation: 'ListVersionsByFunction', count: 1 });
      const throttled = await new MockActivityEnvironment({ attempt: 2 })
        .run(publishVersion, input)
        .catch((e: unknown) => e);
      assert.ok(throttled instanceof ApplicationFailure, String(throttled));
      assert.equal(throttled.type, 'Throttled', throttled.message);
      assert.equal(throttled.nonRetryable, false);
      // Attempt 3 recognises its own version; one version exists for the CodeSha256.
      const recovered = await new MockActivityEnvironment({ attempt: 3 }).run(publishVersion, input);
      assert.deepEqual(recovered, { version: '1', isExisting: false, isRecovered: true });
      const versions = await new MockActivityEnvironment().run(createListVersions(deps), {
        functionName: 'p',
        region: 'us-east-1',
      });
      assert.deepEqual(versions, [{ version: '1', codeSha256: ours.CodeSha256 }]);
    } finally {
      lambda.destroy();
      await sim.close();
    }
  });
});
