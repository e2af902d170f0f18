import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rampSearchAttributes } from '../../src/domain/search-attributes.ts';
import { temporalEnvironment, uniqueName, withWorker } from '../helpers/temporal.ts';

test('a workflow runs on the real dev server and its activity runs on a real worker', async () => {
  const result = await withWorker(
    {
      activities: {
        describeServer: async ({ label }: { label: string }) => ({ label, processId: process.pid }),
      },
    },
    ({ client, taskQueue }) =>
      client.workflow.execute('harnessRoundTrip', {
        taskQueue,
        workflowId: uniqueName('harness'),
        args: [{ label: 'hello' }],
      }),
  );
  assert.deepEqual(result, { label: 'hello', processId: process.pid });
});

test("the dev server has Ramp's search attributes registered", async () => {
  const env = await temporalEnvironment();
  const response = await env.connection.operatorService.listSearchAttributes({
    namespace: env.namespace ?? 'default',
  });
  const registered = Object.keys(response.customAttributes ?? {});
  for (const key of rampSearchAttributes)
    assert.ok(registered.includes(key.name), `${key.name} is registered`);
});
