/**
 * Records train workflow histories for the replay test (test/workflows/replay.test.ts replays every file
 * under test/fixtures/histories/). Not part of `npm test`: run it when the train workflow changes in a way
 * that deserves new fixtures, with a new prefix (old ones stay, they are what running trains look like):
 *   RAMP_HISTORY_PREFIX=train-v1 node --import tsx --test scripts/record-train-histories.test.ts
 */
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { type ReleaseStack, withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { uniqueName } from '../test/helpers/temporal.ts';
import { trainKit } from '../test/helpers/train-stack.ts';

const prefix = process.env.RAMP_HISTORY_PREFIX ?? 'train-v1';
const out = (name: string) => new URL(`../test/fixtures/histories/${prefix}-${name}.json`, import.meta.url);

async function save(stack: ReleaseStack, trainId: string, name: string) {
  const history = await stack.client.workflow.getHandle(trainId).fetchHistory();
  writeFileSync(out(name), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}

const target = (fn: string, region: string, extra: Record<string, unknown> = {}) => ({
  function: fn,
  region,
  code: { zipFile: zipBase64({}, `${fn}-${region}-rec`) },
  ...extra,
});

test('record: a train with an approval gate and a pause that promotes every wave', async () => {
  await withReleaseStack({}, async (stack) => {
    const kit = trainKit(stack);
    const [a, b] = [uniqueName('rec-a'), uniqueName('rec-b')];
    await kit.createFunctionIn('us-east-1', a);
    await kit.createFunctionIn('eu-west-1', a);
    await kit.createFunctionIn('eu-west-1', b);
    const id = await kit.startTrain({
      name: 'recorded',
      defaults: { alias: 'live', strategy: { steps: [{ weight: 20, bake: '200ms' }] } },
      waves: [
        { name: 'one', targets: [target(a, 'us-east-1')] },
        {
          name: 'two',
          approval: true,
          maxParallel: 1,
          targets: [target(a, 'eu-west-1'), target(b, 'eu-west-1')],
        },
      ],
    });
    await kit.waitForTrain(id, (s) => s.awaitingApproval);
    await kit.trains.control(id, 'pause', { by: 'recorder' });
    await kit.trains.control(id, 'approve', { by: 'recorder' });
    await kit.trains.control(id, 'resume', { by: 'recorder' });
    await kit.waitForTrain(id, (s) => s.outcome !== null);
    await save(stack, id, 'promoted');
    kit.close();
  });
});

test('record: a train whose second wave fails and that rolls its first wave back', async () => {
  await withReleaseStack({}, async (stack) => {
    const kit = trainKit(stack);
    const [a, b, c] = [uniqueName('rec-a'), uniqueName('rec-b'), uniqueName('rec-c')];
    await kit.createFunctionIn('us-east-1', a);
    await kit.createFunctionIn('eu-west-1', b);
    await kit.createFunctionIn('us-east-1', c);
    const id = await kit.startTrain({
      name: 'recorded rollback',
      defaults: { alias: 'live', strategy: 'AllAtOnce' },
      waves: [
        { name: 'one', targets: [target(a, 'us-east-1'), target(b, 'eu-west-1')] },
        {
          name: 'two',
          targets: [
            target(c, 'us-east-1', { strategy: { steps: [{ weight: 10, bake: '1h' }] } }),
            target(b, 'eu-west-1', { alias: 'missing' }),
          ],
        },
      ],
    });
    await kit.waitForTrain(id, (s) => s.outcome !== null, 60_000);
    await save(stack, id, 'rolled-back');
    kit.close();
  });
});
