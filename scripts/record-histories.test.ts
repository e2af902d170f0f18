/**
 * Records release workflow histories for the replay test. Not part of `npm test`: run it when the workflow
 * changes in a way that deserves new fixtures (old ones stay, they are what running releases look like):
 *   node --import tsx --test scripts/record-histories.test.ts
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { notificationOutboxWorkflowId } from '../src/domain/notifications.ts';
import { parseReleaseId } from '../src/domain/release-id.ts';
import { externalId, roleArn, targetAccount, twoAccounts } from '../test/helpers/cross-account.ts';
import { withReleaseStack, zipBase64 } from '../test/helpers/release-stack.ts';
import { uniqueName } from '../test/helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../test/helpers/wait-for.ts';

const prefix = process.env.RAMP_HISTORY_PREFIX ?? 'v1';
/**
 * Histories from v4 on are recorded as production runs them: Lambda calls on the region's budgeted queue
 * (docs/scale.md). RAMP_HISTORY_LAMBDA_BUDGET=0 records without one.
 */
const lambdaBudget = Number(process.env.RAMP_HISTORY_LAMBDA_BUDGET ?? 7.5);
const budgeted = lambdaBudget > 0 ? { lambdaBudgetPerSecond: lambdaBudget } : {};
const out = (name: string) => new URL(`../test/fixtures/histories/${prefix}-${name}.json`, import.meta.url);

async function save(stack: { client: import('@temporalio/client').Client }, releaseId: string, name: string) {
  const parsed = parseReleaseId(releaseId);
  if (!parsed) throw new Error(`bad id ${releaseId}`);
  const history = await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).fetchHistory();
  writeFileSync(out(name), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}

test('record: a canary that promotes, with a pause and a resume', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: {
        steps: [
          { weight: 10, bake: '300ms' },
          { weight: 50, bake: '100ms' },
        ],
      },
    });
    await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
    await stack.releases.control(id, 'pause', { by: 'recorder' });
    await stack.releases.control(id, 'resume', { by: 'recorder' });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'canary-promoted');
  });
});

test('record: an unhealthy canary that rolls back', async () => {
  const gate = { check: async () => ({ status: 'fail' as const, message: 'error rate 30%' }) };
  await withReleaseStack({ ...budgeted, healthGate: gate }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: { steps: [{ weight: 10, bake: '100ms' }] },
      // The gate judges only releases that ask for health checks.
      health: { interval: '1s', metrics: { errorRate: { max: 0.1 } } },
    });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'canary-rolled-back');
  });
});

test('record: an approval step, approved', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: { steps: [{ weight: 20, bake: '50ms', approval: true }] },
    });
    await waitForStatus(stack.releases, id, (s) => s.awaitingApproval);
    await stack.releases.control(id, 'approve', { by: 'recorder' });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'approval-promoted');
  });
});

test('record: a first release that creates the alias', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const fn = uniqueName('rec');
    await stack.createFunctionWithAlias(fn, 'staging');
    const id = await stack.startRelease({
      function: fn,
      alias: 'live',
      createAlias: true,
      code: { zipFile: zipBase64() },
    });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'first-release');
  });
});

test('record: an abort during a bake', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: { steps: [{ weight: 10, bake: '1h' }] },
    });
    await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
    await stack.releases.control(id, 'abort', { by: 'recorder', reason: 'recording' });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'aborted');
  });
});

test('record: a workflow cancelled from the Temporal UI during a bake', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: { steps: [{ weight: 10, bake: '1h' }] },
    });
    await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
    const parsed = parseReleaseId(id);
    if (!parsed) throw new Error(`bad id ${id}`);
    await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).cancel();
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'cancelled');
  });
});

test('record: validation hooks before and after traffic', async () => {
  const server = createServer((_request, response) => response.writeHead(200).end('{"ok":true}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await withReleaseStack({ ...budgeted }, async (stack) => {
      const fn = uniqueName('rec');
      await stack.createFunctionWithAlias(fn, 'live');
      const hook = { http: `http://127.0.0.1:${port}/validate` };
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '50ms' }] },
        health: { hooks: { beforeTraffic: hook, afterTraffic: hook, timeout: '5s' } },
      });
      await waitForEnd(stack.releases, id);
      await save(stack, id, 'hooks');
    });
  } finally {
    server.close();
  }
});

test('record: too little traffic for a verdict, so the bake is extended once', async () => {
  const gate = { check: async () => ({ status: 'inconclusive' as const, message: 'too few invocations' }) };
  await withReleaseStack({ ...budgeted, healthGate: gate }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: { steps: [{ weight: 10, bake: '1s' }] },
      health: { interval: '1s', metrics: { insufficientTraffic: 'wait', errorRate: { max: 0.1 } } },
    });
    await waitForEnd(stack.releases, id, 60_000);
    await save(stack, id, 'inconclusive-extended');
  });
});

test('record: someone else changes the alias during a bake (conflict)', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const { id } = await stack.releaseNewFunction(
      'rec',
      {
        strategy: {
          steps: [
            { weight: 10, bake: '50ms' },
            { weight: 50, bake: '50ms' },
          ],
        },
      },
      async (fn) => {
        stack.sim.faults.outsideChange({
          functionName: fn,
          when: { operation: 'UpdateAlias', phase: 'after' },
          change: 'alias',
          alias: 'live',
        });
      },
    );
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'conflict');
  });
});

test('record: a first release whose after-traffic hook fails (needs attention)', async () => {
  const server = createServer((_request, response) => response.writeHead(500).end('broken'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await withReleaseStack({ ...budgeted }, async (stack) => {
      const fn = uniqueName('rec');
      await stack.createFunctionWithAlias(fn, 'staging');
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        createAlias: true,
        code: { zipFile: zipBase64() },
        health: { hooks: { afterTraffic: { http: `http://127.0.0.1:${port}/validate` }, timeout: '2s' } },
      });
      await waitForEnd(stack.releases, id, 60_000);
      await save(stack, id, 'needs-attention');
    });
  } finally {
    server.close();
  }
});

test('record: a canary with notifications (pause, approval, a receiver that fails once, one that refuses, one down at the end, so an outbox delivers the rest)', async () => {
  let failedOnce = false;
  // `/down` answers 503 until the release handed its queue to the outbox, then takes everything.
  let isDownUp = false;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/gone') return response.writeHead(410).end();
      if (request.url === '/down') return response.writeHead(isDownUp ? 200 : 503).end();
      if (!failedOnce) {
        failedOnce = true;
        return response.writeHead(503).end();
      }
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await withReleaseStack({ notifySecret: 'recorder' }, async (stack) => {
      const fn = uniqueName('rec');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease(
        {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: {
            steps: [
              { weight: 10, bake: '2s' },
              { weight: 50, bake: '50ms', approval: true },
            ],
          },
          notify: [
            { webhook: `http://127.0.0.1:${port}/json` },
            { webhook: `http://127.0.0.1:${port}/slack`, format: 'slack', events: ['awaiting_approval'] },
            { webhook: `http://127.0.0.1:${port}/gone`, events: ['started'] },
            { webhook: `http://127.0.0.1:${port}/down`, events: ['succeeded'] },
          ],
        },
        { notify: { targets: [], publicUrl: 'https://ramp.example.com' } },
      );
      await waitForStatus(stack.releases, id, (s) => s.phase === 'baking');
      await stack.releases.control(id, 'pause', { by: 'recorder' });
      await stack.releases.control(id, 'resume', { by: 'recorder' });
      await waitForStatus(stack.releases, id, (s) => s.awaitingApproval);
      await stack.releases.control(id, 'approve', { by: 'recorder' });
      const parsed = parseReleaseId(id);
      if (!parsed) throw new Error(`bad id ${id}`);
      // The workflow closes once it handed `/down`'s queue to its outbox: record the whole history.
      await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).result();
      await save(stack, id, 'notifications');
      isDownUp = true;
      const outbox = stack.client.workflow.getHandle(notificationOutboxWorkflowId(id));
      await outbox.result();
      const history = await outbox.fetchHistory();
      writeFileSync(
        out('notification-outbox'),
        `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`,
      );
    });
  } finally {
    server.close();
  }
});

// RAMP_HISTORY_PREFIX=v4c with --test-name-pattern="outbox cap" records this one alone.
test('record: a release whose ten receivers are down throughout, so its hand-over is over the outbox cap', async () => {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(503).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await withReleaseStack({}, async (stack) => {
      const fn = uniqueName('rec');
      await stack.createFunctionWithAlias(fn, 'live');
      const id = await stack.startRelease(
        {
          function: fn,
          alias: 'live',
          code: { zipFile: zipBase64() },
          strategy: { steps: Array.from({ length: 60 }, (_, index) => ({ weight: index + 1, bake: '0s' })) },
          notify: Array.from({ length: 10 }, (_, index) => ({
            webhook: `http://127.0.0.1:${port}/r${index}`,
          })),
        },
        { notify: { targets: [], publicUrl: 'https://ramp.example.com' } },
      );
      const parsed = parseReleaseId(id);
      if (!parsed) throw new Error(`bad id ${id}`);
      const status = (await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).result()) as {
        timeline: { message: string }[];
      };
      if (!status.timeline.some((entry) => entry.message.includes('dropped at the hand-over')))
        throw new Error('the hand-over was under the cap: this history would not cover the cap patch');
      await save(stack, id, 'outbox-cap');
      await stack.client.workflow.getHandle(notificationOutboxWorkflowId(id)).terminate('recorded');
    });
  } finally {
    server.close();
  }
});

test('record: a cross-account release by roleArn, on the role account’s budgeted queue, that rolls back', async () => {
  const gate = { check: async () => ({ status: 'fail' as const, message: 'error rate 30%' }) };
  await withReleaseStack(
    { ...budgeted, ...(lambdaBudget > 0 ? { targetAccounts: [targetAccount] } : {}), healthGate: gate },
    async (stack) => {
      const fn = uniqueName('rec');
      const { target } = await twoAccounts(stack, fn);
      target.destroy();
      const id = await stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 10, bake: '300ms' }] },
        health: { interval: '1s', metrics: { errorRate: { max: 0.1 } } },
        roleArn,
        externalId,
      });
      await waitForEnd(stack.releases, id);
      await save(stack, id, 'role-rolled-back');
    },
  );
});

test('record: probes pass before traffic and in the bake, and the candidate is promoted', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const { id } = await stack.releaseNewFunction('rec', {
      strategy: { steps: [{ weight: 10, bake: '2s' }] },
      health: { interval: '1s', probes: { ratePerSecond: 10, timeout: '1s', preTraffic: '1s' } },
    });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'probes-promoted');
  });
});

test('record: probes fail the candidate before traffic, and the alias is never split', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const fn = uniqueName('rec');
    await stack.createFunctionWithAlias(fn, 'live');
    const id = await stack.startRelease({
      function: fn,
      alias: 'live',
      code: { zipFile: zipBase64({ errorRate: 1 }) },
      strategy: { steps: [{ weight: 10, bake: '2s' }] },
      health: { interval: '1s', probes: { ratePerSecond: 10, timeout: '1s', preTraffic: '1s' } },
    });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'probes-pre-traffic-failed');
  });
});

test('record: a candidate that fails its probes in the bake rolls back', async () => {
  await withReleaseStack({ ...budgeted }, async (stack) => {
    const fn = uniqueName('rec');
    await stack.createFunctionWithAlias(fn, 'live');
    const id = await stack.startRelease({
      function: fn,
      alias: 'live',
      code: { zipFile: zipBase64({ errorRate: 1 }) },
      strategy: { steps: [{ weight: 10, bake: '20s' }] },
      health: { interval: '1s', probes: { ratePerSecond: 10, timeout: '1s', preTraffic: '0s' } },
    });
    await waitForEnd(stack.releases, id);
    await save(stack, id, 'probes-rolled-back');
  });
});
