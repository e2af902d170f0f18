/**
 * Records train workflow histories for the replay test (test/workflows/replay.test.ts replays every file
 * under test/fixtures/histories/). Not part of `npm test`: run it when the train workflow changes in a way
 * that deserves new fixtures, with a new prefix (old ones stay, they are what running trains look like):
 *   RAMP_HISTORY_PREFIX=train-v1 node --import tsx --test scripts/record-train-histories.test.ts
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { notificationOutboxWorkflowId } from '../src/domain/notifications.ts';
import { validateTrainSpec } from '../src/domain/train-spec.ts';
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

// Trains with notify targets record the train-notifications patch: RAMP_HISTORY_PREFIX=train-v1n with
// --test-name-pattern=notifications records that one alone.
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

test('record: a train with notifications (pause, approval gate, a receiver that refuses, one down at the end, so an outbox delivers the rest)', async () => {
  // `/down` answers 503 until the train handed its queue to the outbox.
  let isDownUp = false;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/gone') return response.writeHead(410).end();
      if (request.url === '/down') return response.writeHead(isDownUp ? 200 : 503).end();
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await withReleaseStack({ notifySecret: 'recorder' }, async (stack) => {
      const kit = trainKit(stack);
      const [a, b] = [uniqueName('rec-a'), uniqueName('rec-b')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', b);
      const result = validateTrainSpec({
        name: 'recorded notifications',
        defaults: { alias: 'live', strategy: { steps: [{ weight: 20, bake: '200ms' }] } },
        waves: [
          { name: 'one', targets: [target(a, 'us-east-1')] },
          { name: 'two', approval: true, targets: [target(b, 'eu-west-1')] },
        ],
        notify: [
          { webhook: `http://127.0.0.1:${port}/json` },
          { webhook: `http://127.0.0.1:${port}/slack`, format: 'slack' },
          { webhook: `http://127.0.0.1:${port}/gone`, events: ['train_started'] },
          { webhook: `http://127.0.0.1:${port}/down`, events: ['train_succeeded'] },
        ],
      });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      const { trainId: id } = await kit.trains.start(result.spec, {
        requestedBy: 'recorder',
        notify: { targets: [], publicUrl: 'https://ramp.example.com' },
      });
      await kit.waitForTrain(id, (s) => s.awaitingApproval);
      await kit.trains.control(id, 'pause', { by: 'recorder' });
      await kit.trains.control(id, 'approve', { by: 'recorder' });
      await kit.trains.control(id, 'resume', { by: 'recorder' });
      // The workflow closes once it handed `/down`'s queue to its outbox: record the whole history.
      await stack.client.workflow.getHandle(id).result();
      await save(stack, id, 'notifications');
      isDownUp = true;
      await stack.client.workflow.getHandle(notificationOutboxWorkflowId(id)).result();
      kit.close();
    });
  } finally {
    server.close();
  }
});
