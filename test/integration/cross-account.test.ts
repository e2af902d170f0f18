/**
 * Cross-account releases by roleArn, end to end: the real SDK assumes the role through the simulator's STS
 * (`fromTemporaryCredentials`), and the simulator attributes calls signed with the credentials it issued to the
 * role's account. Account 222222222222 and the simulator's own account each hold a function of the same name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAliasCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { roleSessionNameOf } from '../../src/domain/role-arn.ts';
import { externalId, roleArn, targetAccount, twoAccounts } from '../helpers/cross-account.ts';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { outcomesOf, trainKit } from '../helpers/train-stack.ts';
import { waitForEnd } from '../helpers/wait-for.ts';

/** The task queue each activity of the release was scheduled on, from its history. */
async function activityQueues(stack: ReleaseStack, releaseId: string): Promise<Map<string, string>> {
  const parsed = parseReleaseId(releaseId);
  assert.ok(parsed);
  const history = await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
  const queues = new Map<string, string>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name && scheduled.taskQueue?.name)
      queues.set(scheduled.activityType.name, scheduled.taskQueue.name);
  }
  return queues;
}

describe('cross-account releases by roleArn', () => {
  test('a release by roleArn updates the role account’s function and leaves the default account’s one of the same name alone', async () => {
    await withReleaseStack({ lambdaBudgetPerSecond: 15, targetAccounts: [targetAccount] }, async (stack) => {
      const name = uniqueName('xacct');
      const { target, defaultSha, defaultRevision } = await twoAccounts(stack, name);
      try {
        const releaseId = await stack.startRelease({
          function: name,
          alias: 'live',
          code: { zipFile: zipBase64({}, `${name}-v2`) },
          strategy: 'AllAtOnce',
          roleArn,
          externalId,
        });
        const status = await waitForEnd(stack.releases, releaseId);
        assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
        assert.equal(status.candidateVersion, '2');

        const targetAlias = await target.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
        assert.equal(targetAlias.FunctionVersion, '2', "the role's account's alias is on the new version");
        const defaultAlias = await stack.lambda.send(
          new GetAliasCommand({ FunctionName: name, Name: 'live' }),
        );
        assert.equal(defaultAlias.FunctionVersion, '1', "the default account's alias did not move");
        const defaultFn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
        assert.equal(
          defaultFn.Configuration?.CodeSha256,
          defaultSha,
          "the default account's code is untouched",
        );
        assert.equal(defaultFn.Configuration?.RevisionId, defaultRevision);

        // The worker assumed the role with the release's id as session name (its ExternalId with it), and once
        // for the whole release: one role session shared by its activities.
        const sessionName = roleSessionNameOf(releaseId);
        // This release id (66 characters) is longer than STS allows: the session name is its shortened form.
        assert.ok(releaseId.length > 64 && sessionName.length <= 64, `${releaseId} → ${sessionName}`);
        const assumed = stack.sim
          .calls()
          .filter((call) => call.operation === 'AssumeRole' && call.request.RoleSessionName === sessionName);
        assert.equal(assumed.length, 1, 'one AssumeRole for the release');
        assert.equal(assumed[0]?.request.ExternalId, externalId);
        assert.equal(assumed[0]?.request.RoleArn, roleArn);

        // The budgeted Lambda calls went to the role account's queue.
        const queues = await activityQueues(stack, releaseId);
        assert.match(queues.get('updateFunctionCode') ?? '', new RegExp(`/lambda/${targetAccount}/`));
        assert.match(queues.get('updateAlias') ?? '', new RegExp(`/lambda/${targetAccount}/`));
      } finally {
        target.destroy();
      }
    });
  });

  test('a role that cannot be assumed (wrong ExternalId, undeclared role) fails the release at preflight, before any write, naming the role', async () => {
    await withReleaseStack({}, async (stack) => {
      const name = uniqueName('xacct-bad');
      const { target } = await twoAccounts(stack, name);
      target.destroy();
      const cases = [
        { roleArn, externalId: 'not-the-one' },
        { roleArn: `arn:aws:iam::${targetAccount}:role/nobody-declared-me` },
      ];
      for (const role of cases) {
        const releaseId = await stack.startRelease({
          function: name,
          alias: 'live',
          code: { zipFile: zipBase64({}, `${name}-v2`) },
          strategy: 'AllAtOnce',
          ...role,
        });
        const status = await waitForEnd(stack.releases, releaseId);
        assert.equal(status.outcome, 'failed');
        assert.equal(status.lastError?.type, 'AccessDenied');
        assert.match(status.lastError?.message ?? '', /AssumeRole/);
        assert.ok(status.lastError?.message.includes(role.roleArn), status.lastError?.message);
        assert.equal(status.candidateVersion, null);
      }
      // The setup's CreateFunction and CreateAlias are the only writes: nothing of the releases reached Lambda.
      const writes = stack.sim
        .calls()
        .filter((call) => ['UpdateFunctionCode', 'PublishVersion', 'UpdateAlias'].includes(call.operation));
      assert.deepEqual(writes, [], 'no UpdateFunctionCode, PublishVersion or UpdateAlias in the call log');
    });
  });

  test('a throttled or failing STS is retried like any other call: the release still succeeds', async () => {
    await withReleaseStack({}, async (stack) => {
      const name = uniqueName('xacct-sts-faults');
      const { target } = await twoAccounts(stack, name);
      target.destroy();
      stack.sim.faults.throttle({ operation: 'AssumeRole', count: 1 });
      stack.sim.faults.serviceError({ operation: 'AssumeRole', count: 1 });
      const releaseId = await stack.startRelease({
        function: name,
        alias: 'live',
        code: { zipFile: zipBase64({}, `${name}-v2`) },
        strategy: 'AllAtOnce',
        roleArn,
        externalId,
      });
      const status = await waitForEnd(stack.releases, releaseId);
      assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
      const sessionName = roleSessionNameOf(releaseId);
      const attempts = stack.sim
        .calls()
        .filter((call) => call.operation === 'AssumeRole' && call.request.RoleSessionName === sessionName)
        .map((call) => call.status);
      assert.deepEqual(attempts, [400, 500, 200]);
    });
  });

  test('a release into an account no worker polls runs unbudgeted, on its own queue, and says so', async () => {
    await withReleaseStack({ lambdaBudgetPerSecond: 15 }, async (stack) => {
      const name = uniqueName('xacct-unlisted');
      const { target } = await twoAccounts(stack, name);
      try {
        const releaseId = await stack.startRelease({
          function: name,
          alias: 'live',
          code: { zipFile: zipBase64({}, `${name}-v2`) },
          strategy: 'AllAtOnce',
          roleArn,
          externalId,
        });
        const status = await waitForEnd(stack.releases, releaseId);
        assert.equal(status.outcome, 'succeeded', JSON.stringify(status.lastError));
        const warning = status.timeline.find(
          (entry) => entry.event === 'warning' && entry.message.includes('RAMP_TARGET_ACCOUNTS'),
        );
        assert.ok(warning, 'the timeline says the release is not budgeted');
        assert.match(warning.message, new RegExp(targetAccount));
        const queues = await activityQueues(stack, releaseId);
        assert.equal(queues.get('updateFunctionCode'), stack.taskQueue, 'on the release queue');
        const targetAlias = await target.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
        assert.equal(targetAlias.FunctionVersion, '2');
      } finally {
        target.destroy();
      }
    });
  });
});

describe('a train target by roleArn', () => {
  test('is released in the role’s account, and a train rollback puts that account’s alias back, the default account’s untouched', async () => {
    await withReleaseStack({}, async (stack) => {
      const kit = trainKit(stack);
      const name = uniqueName('xacct-train');
      const other = uniqueName('xacct-train-d');
      const { target, defaultSha } = await twoAccounts(stack, name);
      try {
        await kit.createFunctionIn('us-east-1', other);
        const id = await kit.startTrain({
          name: 'cross-account train',
          onFailure: 'rollback-train',
          defaults: { alias: 'live', strategy: 'AllAtOnce', region: 'us-east-1' },
          waves: [
            {
              name: 'other account',
              targets: [
                { function: name, code: { zipFile: zipBase64({}, `${name}-v2`) }, roleArn, externalId },
              ],
            },
            // The preflight refuses it (no such alias): the train rolls wave 1 back.
            {
              name: 'failing',
              targets: [
                { function: other, alias: 'missing', code: { zipFile: zipBase64({}, `${other}-v2`) } },
              ],
            },
          ],
        });
        const status = await kit.waitForTrain(id, (s) => s.outcome !== null, 90_000);
        assert.equal(status.outcome, 'rolled_back', JSON.stringify(status.timeline));
        assert.deepEqual(outcomesOf(status), [
          [`${name}@us-east-1: rolled_back`],
          [`${other}@us-east-1: rejected`],
        ]);
        assert.equal(status.waves[0]?.targets[0]?.candidateVersion, '2', 'it was promoted first');
        assert.ok(status.timeline.some((entry) => entry.event === 'target_rolled_back'));
        const targetAlias = await target.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
        assert.equal(targetAlias.FunctionVersion, '1', "the role's account's alias is back on version 1");
        const own = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
        assert.equal(
          own.Configuration?.CodeSha256,
          defaultSha,
          "the default account's function is untouched",
        );
        const ownAlias = await stack.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
        assert.equal(ownAlias.FunctionVersion, '1');
      } finally {
        target.destroy();
        kit.close();
      }
    });
  });
});
