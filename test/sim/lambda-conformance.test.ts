import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  type LambdaServiceException,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { startSimulator } from '../../src/sim/index.ts';
import { TestClock } from './fixtures.ts';

const role = 'arn:aws:iam::123456789012:role/lambda-role';
const zip = (marker: string, behaviour?: object) =>
  zipSync({
    'index.mjs': new TextEncoder().encode(`export const handler = async () => '${marker}';`),
    ...(behaviour ? { 'simulate.json': new TextEncoder().encode(JSON.stringify(behaviour)) } : {}),
  });

async function withLambda(
  body: (lambda: LambdaClient, sim: Awaited<ReturnType<typeof startSimulator>>) => Promise<void>,
  updateDelayMs = 50,
  clock?: TestClock,
) {
  const sim = await startSimulator({ updateDelayMs, seed: 7, ...(clock ? { clock } : {}) });
  const lambda = new LambdaClient({ ...sim.clientConfig, maxAttempts: 1 });
  try {
    await body(lambda, sim);
  } finally {
    lambda.destroy();
    await sim.close();
  }
}

async function createActive(lambda: LambdaClient, name: string) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: zip('v1') },
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: name });
}

async function rejection<T extends LambdaServiceException>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  assert.fail('expected the call to fail');
}

describe('Lambda simulator through the real SDK', () => {
  test('a new function is Pending, then Active with a new RevisionId, and CodeSha256 is the base64 SHA-256 of the zip', async () => {
    await withLambda(async (lambda) => {
      // One copy of the bytes: a zip stamps its entries with the time, so two zips a second apart differ.
      const bytes = zip('v1');
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'f',
          Role: role,
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: bytes },
        }),
      );
      assert.equal(created.State, 'Pending');
      assert.equal(created.StateReasonCode, 'Creating');
      assert.equal(created.LastUpdateStatus, undefined);
      const { createHash } = await import('node:crypto');
      assert.equal(created.CodeSha256, createHash('sha256').update(bytes).digest('base64'));
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'f' },
      );
      const active = await lambda.send(new GetFunctionCommand({ FunctionName: 'f' }));
      assert.equal(active.Configuration?.State, 'Active');
      assert.equal(active.Configuration?.LastUpdateStatus, 'Successful');
      assert.notEqual(active.Configuration?.RevisionId, created.RevisionId);
    });
  });

  test('an update is InProgress with a new RevisionId, blocks other updates with 409, and settles with yet another RevisionId', async () => {
    const clock = new TestClock();
    await withLambda(
      async (lambda) => {
        await createActive(lambda, 'f');
        const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' }));
        // Time stands still while the update is in progress, so the second update meets it on any machine.
        clock.pause();
        const updated = await lambda.send(
          new UpdateFunctionCodeCommand({
            FunctionName: 'f',
            ZipFile: zip('v2'),
            RevisionId: before.RevisionId,
          }),
        );
        assert.equal(updated.LastUpdateStatus, 'InProgress');
        assert.notEqual(updated.RevisionId, before.RevisionId);
        const conflict = await rejection<ResourceConflictException>(
          lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Description: 'x' })),
        );
        assert.ok(conflict instanceof ResourceConflictException);
        assert.equal(conflict.$metadata.httpStatusCode, 409);
        assert.equal(
          conflict.message,
          'The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f',
        );
        clock.resume();
        await waitUntilFunctionUpdatedV2(
          { client: lambda, maxWaitTime: 10, minDelay: 1 },
          { FunctionName: 'f' },
        );
        const settled = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' }));
        assert.equal(settled.LastUpdateStatus, 'Successful');
        assert.notEqual(settled.RevisionId, updated.RevisionId);
        assert.equal(settled.CodeSha256, updated.CodeSha256);
      },
      300,
      clock,
    );
  });

  test('a stale RevisionId is a 412 PreconditionFailedException with the AWS message', async () => {
    await withLambda(async (lambda) => {
      await createActive(lambda, 'f');
      const error = await rejection<PreconditionFailedException>(
        lambda.send(
          new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zip('v2'), RevisionId: 'stale' }),
        ),
      );
      assert.ok(error instanceof PreconditionFailedException);
      assert.equal(error.$metadata.httpStatusCode, 412);
      assert.equal(
        error.message,
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    });
  });

  test('PublishVersion refuses a CodeSha256 that is not $LATEST with a 400, and returns the existing version when nothing changed', async () => {
    await withLambda(async (lambda) => {
      await createActive(lambda, 'f');
      const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' }));
      const mismatch = await rejection<InvalidParameterValueException>(
        lambda.send(new PublishVersionCommand({ FunctionName: 'f', CodeSha256: 'abc=' })),
      );
      assert.ok(mismatch instanceof InvalidParameterValueException);
      assert.equal(mismatch.$metadata.httpStatusCode, 400);
      assert.equal(
        mismatch.message,
        `CodeSHA256 (abc=) is different from current CodeSHA256 in $LATEST (${latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
      const first = await lambda.send(
        new PublishVersionCommand({
          FunctionName: 'f',
          CodeSha256: latest.CodeSha256,
          RevisionId: latest.RevisionId,
          Description: 'one',
        }),
      );
      assert.equal(first.Version, '1');
      await waitUntilPublishedVersionActive(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'f', Qualifier: '1' },
      );
      const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'f', Description: 'two' }));
      assert.equal(again.Version, '1');
      assert.equal(again.Description, 'one');
      const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' }));
      assert.notEqual(after.RevisionId, latest.RevisionId, 'PublishVersion rotates $LATEST RevisionId');
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'f' }));
      assert.deepEqual(
        versions.Versions?.map((v) => v.Version),
        ['$LATEST', '1'],
      );
    });
  });

  test('aliases follow the routing rules and rotate their RevisionId on every update', async () => {
    await withLambda(async (lambda) => {
      await createActive(lambda, 'f');
      await lambda.send(new PublishVersionCommand({ FunctionName: 'f' }));
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zip('v2') }));
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'f' },
      );
      await lambda.send(new PublishVersionCommand({ FunctionName: 'f' }));
      const alias = await lambda.send(
        new CreateAliasCommand({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' }),
      );
      assert.equal(alias.RoutingConfig, undefined);
      const exists = await rejection<ResourceConflictException>(
        lambda.send(new CreateAliasCommand({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' })),
      );
      assert.equal(
        exists.message,
        'Alias already exists: arn:aws:lambda:us-east-1:123456789012:function:f:live',
      );
      const two = await rejection(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: 'f',
            Name: 'live',
            RoutingConfig: { AdditionalVersionWeights: { '1': 0.5, '2': 0.5 } },
          }),
        ),
      );
      assert.equal(two.message, 'Number of items in AdditionalVersionWeights cannot be greater than 1');
      const same = await rejection(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: 'f',
            Name: 'live',
            RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
          }),
        ),
      );
      assert.equal(
        same.message,
        'Invalid function version 1. Function version 1 is already included in routing configuration.',
      );
      const tooHeavy = await rejection(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: 'f',
            Name: 'live',
            RoutingConfig: { AdditionalVersionWeights: { '2': 2 } },
          }),
        ),
      );
      assert.equal(tooHeavy.name, 'ValidationException');
      const missing = await rejection<ResourceNotFoundException>(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: 'f',
            Name: 'live',
            RoutingConfig: { AdditionalVersionWeights: { '9': 0.1 } },
          }),
        ),
      );
      assert.ok(missing instanceof ResourceNotFoundException);
      assert.equal(missing.message, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:9');
      const shifted = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'f',
          Name: 'live',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } },
          RevisionId: alias.RevisionId,
        }),
      );
      assert.deepEqual(shifted.RoutingConfig?.AdditionalVersionWeights, { '2': 0.25 });
      assert.notEqual(shifted.RevisionId, alias.RevisionId);
      const stale = await rejection(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: 'f',
            Name: 'live',
            FunctionVersion: '2',
            RevisionId: alias.RevisionId,
          }),
        ),
      );
      assert.ok(stale instanceof PreconditionFailedException);
      const promoted = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'f',
          Name: 'live',
          FunctionVersion: '2',
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      );
      assert.equal(promoted.FunctionVersion, '2');
      assert.equal(promoted.RoutingConfig, undefined);
      const listed = await lambda.send(new ListAliasesCommand({ FunctionName: 'f' }));
      assert.deepEqual(
        listed.Aliases?.map((a) => a.Name),
        ['live'],
      );
      await lambda.send(new DeleteAliasCommand({ FunctionName: 'f', Name: 'live' }));
      await lambda.send(new DeleteAliasCommand({ FunctionName: 'f', Name: 'live' }));
      const gone = await rejection(lambda.send(new GetAliasCommand({ FunctionName: 'f', Name: 'live' })));
      assert.equal(
        gone.message,
        'Cannot find alias arn: arn:aws:lambda:us-east-1:123456789012:function:f:live',
      );
    });
  });

  test('names, full ARNs and partial ARNs name the same function; limits and unknown functions answer as Lambda does', async () => {
    await withLambda(async (lambda) => {
      await createActive(lambda, 'f');
      const byArn = await lambda.send(
        new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:f' }),
      );
      const byPartial = await lambda.send(
        new GetFunctionCommand({ FunctionName: '123456789012:function:f' }),
      );
      assert.equal(byArn.Configuration?.FunctionName, 'f');
      assert.equal(byPartial.Configuration?.FunctionName, 'f');
      const tooLong = await rejection(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'a'.repeat(65),
            Role: role,
            Code: { ZipFile: zip('x') },
          }),
        ),
      );
      assert.ok(tooLong instanceof InvalidParameterValueException);
      assert.match(tooLong.message, /Member must have length less than or equal to 64$/);
      const unknown = await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })));
      assert.ok(unknown instanceof ResourceNotFoundException);
      assert.equal(
        unknown.message,
        'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
      );
      await lambda.send(new DeleteFunctionCommand({ FunctionName: 'f' }));
      assert.ok(
        (await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'f' })))) instanceof
          ResourceNotFoundException,
      );
    });
  });

  test('Invoke routes by the alias weights and answers with X-Amz-Executed-Version; a bad version fails as its simulate.json says', async () => {
    await withLambda(async (lambda) => {
      await createActive(lambda, 'f');
      await lambda.send(new PublishVersionCommand({ FunctionName: 'f' }));
      await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zip('bad', { errorRate: 1 }) }),
      );
      await waitUntilFunctionUpdatedV2(
        { client: lambda, maxWaitTime: 10, minDelay: 1 },
        { FunctionName: 'f' },
      );
      await lambda.send(new PublishVersionCommand({ FunctionName: 'f' }));
      await lambda.send(
        new CreateAliasCommand({
          FunctionName: 'f',
          Name: 'live',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
        }),
      );
      const seen: Record<string, number> = {};
      let errors = 0;
      for (let i = 0; i < 60; i++) {
        const result = await lambda.send(new InvokeCommand({ FunctionName: 'f', Qualifier: 'live' }));
        seen[result.ExecutedVersion ?? '?'] = (seen[result.ExecutedVersion ?? '?'] ?? 0) + 1;
        if (result.FunctionError) {
          errors++;
          assert.equal(result.ExecutedVersion, '2');
        }
      }
      assert.ok((seen['1'] ?? 0) > 10 && (seen['2'] ?? 0) > 10, JSON.stringify(seen));
      assert.equal(errors, seen['2']);
    });
  });

  test('a Pending function refuses Invoke and updates with 409; DryRun changes nothing; an S3 source and UpdateFunctionConfiguration update like code', async () => {
    const clock = new TestClock();
    await withLambda(
      async (lambda, sim) => {
        // Time stands still while the function is Pending, so the Invoke meets it Pending on any machine.
        clock.pause();
        await lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'p',
            Role: role,
            Runtime: 'nodejs20.x',
            Handler: 'index.handler',
            Code: { ZipFile: zip('v1') },
          }),
        );
        const pending = await rejection<ResourceConflictException>(
          lambda.send(new InvokeCommand({ FunctionName: 'p' })),
        );
        assert.ok(pending instanceof ResourceConflictException);
        assert.equal(
          pending.message,
          'The operation cannot be performed at this time. The function is currently in the following state: Pending',
        );
        clock.resume();
        await waitUntilFunctionActiveV2(
          { client: lambda, maxWaitTime: 10, minDelay: 1 },
          { FunctionName: 'p' },
        );
        const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'p' }));
        const dryRun = await lambda.send(
          new UpdateFunctionCodeCommand({ FunctionName: 'p', ZipFile: zip('v2'), DryRun: true }),
        );
        assert.equal(dryRun.CodeSha256, before.CodeSha256);
        assert.equal(
          (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'p' }))).RevisionId,
          before.RevisionId,
        );
        const uploaded = sim.s3.putObject('builds', 'p/v2.zip', Buffer.from(zip('v2 from S3')));
        const fromS3 = await lambda.send(
          new UpdateFunctionCodeCommand({
            FunctionName: 'p',
            S3Bucket: 'builds',
            S3Key: 'p/v2.zip',
            S3ObjectVersion: uploaded.versionId,
          }),
        );
        assert.equal(fromS3.LastUpdateStatus, 'InProgress');
        assert.notEqual(fromS3.CodeSha256, before.CodeSha256);
        await waitUntilFunctionUpdatedV2(
          { client: lambda, maxWaitTime: 10, minDelay: 1 },
          { FunctionName: 'p' },
        );
        const config = await lambda.send(
          new UpdateFunctionConfigurationCommand({ FunctionName: 'p', Description: 'new config' }),
        );
        assert.equal(config.LastUpdateStatus, 'InProgress');
        await waitUntilFunctionUpdatedV2(
          { client: lambda, maxWaitTime: 10, minDelay: 1 },
          { FunctionName: 'p' },
        );
        const published = await lambda.send(new PublishVersionCommand({ FunctionName: 'p' }));
        assert.equal(
          published.Description,
          'new config',
          'the version takes the function description by default',
        );
      },
      50,
      clock,
    );
  });

  test('UpdateFunctionCode with DryRun checks the request and changes nothing: RevisionId, LastModified, CodeSha256, state and versions stay', async () => {
    await withLambda(async (lambda, sim) => {
      await createActive(lambda, 'dry');
      const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'dry' }));

      const answer = await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'dry',
          ZipFile: zip('v2'),
          RevisionId: before.RevisionId,
          Publish: true,
          DryRun: true,
        }),
      );

      // Lambda validates and returns without an update: the answer is the function as it stands.
      assert.equal(answer.RevisionId, before.RevisionId);
      assert.equal(answer.CodeSha256, before.CodeSha256);
      assert.equal(answer.Version, '$LATEST');
      const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'dry' }));
      assert.equal(after.RevisionId, before.RevisionId);
      assert.equal(after.LastModified, before.LastModified);
      assert.equal(after.CodeSha256, before.CodeSha256);
      assert.equal(after.LastUpdateStatus, before.LastUpdateStatus);
      assert.equal(after.State, 'Active');
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'dry' }));
      assert.deepEqual(
        versions.Versions?.map((version) => version.Version),
        ['$LATEST'],
        'Publish with DryRun publishes nothing',
      );

      // The guard and the permission are still checked.
      const stale = await rejection<PreconditionFailedException>(
        lambda.send(
          new UpdateFunctionCodeCommand({
            FunctionName: 'dry',
            ZipFile: zip('v2'),
            RevisionId: 'stale',
            DryRun: true,
          }),
        ),
      );
      assert.ok(stale instanceof PreconditionFailedException);
      const denial = sim.faults.accessDenied({ operation: 'UpdateFunctionCode', functionName: 'dry' });
      const denied = await rejection(
        lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'dry', ZipFile: zip('v2'), DryRun: true })),
      );
      denial.remove();
      assert.equal(denied.name, 'AccessDeniedException');
      assert.equal(denied.$metadata.httpStatusCode, 403);
      assert.match(denied.message, /not authorized to perform: lambda:UpdateFunctionCode/);
    });
  });
});
