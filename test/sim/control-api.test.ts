import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withSim } from './fixtures.ts';

const post = async (endpoint: string, path: string, body: string) => {
  const response = await fetch(`${endpoint}/_sim/${path}`, {
    method: path.endsWith('/state') ? 'PUT' : 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as { message?: string; problems?: { field: string; message: string }[] },
  };
};

describe('the control API checks its bodies', () => {
  test('a fault with an unknown kind, a missing field or a wrong type is a 400 naming the field', async () => {
    await withSim({}, async (sim) => {
      const unknownKind = await post(sim.endpoint, 'faults', JSON.stringify({ kind: 'meteor' }));
      assert.equal(unknownKind.status, 400);
      assert.equal(unknownKind.body.problems?.[0]?.field, 'kind');

      const noOperation = await post(sim.endpoint, 'faults', JSON.stringify({ kind: 'loseResponse' }));
      assert.equal(noOperation.status, 400);
      assert.deepEqual(
        noOperation.body.problems?.map((problem) => problem.field),
        ['operation'],
      );

      const badProbability = await post(
        sim.endpoint,
        'faults',
        JSON.stringify({ kind: 'throttle', probability: 2 }),
      );
      assert.equal(badProbability.status, 400);
      assert.equal(badProbability.body.problems?.[0]?.field, 'probability');
      assert.match(badProbability.body.message ?? '', /probability/);

      const typo = await post(sim.endpoint, 'faults', JSON.stringify({ kind: 'throttle', probabilty: 0.5 }));
      assert.equal(typo.status, 400, 'a misspelt option is refused, not silently ignored');

      assert.deepEqual(sim.faults.list(), [], 'nothing refused was added');
    });
  });

  test('a body that is not JSON is a 400, not a Lambda error', async () => {
    await withSim({}, async (sim) => {
      const reply = await post(sim.endpoint, 'faults', '{"kind": "throttle"');
      assert.equal(reply.status, 400);
      assert.match(reply.body.message ?? '', /not JSON/);
    });
  });

  test('alarms, alarm states and traffic are checked the same way', async () => {
    await withSim({}, async (sim) => {
      const alarm = await post(
        sim.endpoint,
        'alarms',
        JSON.stringify({ name: 'a', metric: 'Errors', statistic: 'Sum', threshold: 1, comparison: '~' }),
      );
      assert.equal(alarm.status, 400);
      assert.deepEqual(alarm.body.problems?.map((problem) => problem.field).sort(), [
        'comparison',
        'evaluationPeriods',
      ]);

      const state = await post(sim.endpoint, 'alarms/a/state', JSON.stringify({ state: 'RED' }));
      assert.equal(state.status, 400);
      assert.equal(state.body.problems?.[0]?.field, 'state');

      const traffic = await post(
        sim.endpoint,
        'traffic',
        JSON.stringify({ functionName: 'f', ratePerSecond: -1 }),
      );
      assert.equal(traffic.status, 400);
      assert.equal(traffic.body.problems?.[0]?.field, 'ratePerSecond');
      assert.deepEqual(sim.traffic.list(), []);
    });
  });
});

describe('the simulator’s HTTP connections', () => {
  // An SDK agent keeps sockets without an idle limit of its own; a server that closes idle keep-alive
  // connections after Node's default 5 s makes a call sent at that moment fail with ECONNRESET.
  test('keeps an idle keep-alive connection for 60 s, and says so to the client', async () => {
    await withSim({}, async (sim) => {
      const response = await fetch(`${sim.endpoint}/2015-03-31/functions/`, { method: 'GET' });
      await response.arrayBuffer();
      assert.equal(response.headers.get('connection'), 'keep-alive');
      assert.equal(response.headers.get('keep-alive'), 'timeout=60');
    });
  });
});
