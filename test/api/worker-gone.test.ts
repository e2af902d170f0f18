import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseIdOf, releaseWorkflowId } from '../../src/domain/release-id.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';

// A running release answers its status from a worker. When no worker polls its task queue (all gone, or a
// deployment pointed at the wrong queue), the status read must fail in seconds and say why, not hang.
test('a running release that no worker serves answers 503 within seconds, naming its task queue', async () => {
  await withApiStack({}, async (api) => {
    const taskQueue = uniqueName('nobody-polls');
    const handle = await api.stack.client.workflow.start('release', {
      taskQueue,
      workflowId: releaseWorkflowId({
        region: 'us-east-1',
        functionShortName: uniqueName('orphan'),
        alias: 'live',
      }),
      args: [{}],
    });
    try {
      const id = releaseIdOf(handle.workflowId, handle.firstExecutionRunId);
      const response = await api.call('GET', `/v1/releases/${id}`);
      assert.equal(response.status, 503, JSON.stringify(response.json));
      assert.equal(response.json.error?.type, 'Transient');
      assert.match(
        response.json.error?.message ?? '',
        new RegExp(
          `is running but did not answer within 5 s: no Ramp worker polls its task queue ${taskQueue}`,
        ),
      );
    } finally {
      await handle.terminate('test over');
    }
  });
});
