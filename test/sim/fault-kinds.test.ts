import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { createCanary, eventually, TestClock, withSim } from './fixtures.ts';

const control = async (endpoint: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${endpoint}/_sim/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};

describe('fault kinds', () => {
  test('a throttle burst refuses every call for its window, then calls go through again', async () => {
    const clock = new TestClock();
    await withSim({ clock }, async (sim, lambda) => {
      await createCanary(lambda, 'burst', {}, 0.1);
      sim.faults.throttle({ forMs: 500, retryAfterSeconds: 2, reason: 'CallerRateLimitExceeded' });
      const during = await lambda
        .send(new GetFunctionCommand({ FunctionName: 'burst' }))
        .catch((e: unknown) => e);
      assert.ok(during instanceof TooManyRequestsException);
      assert.equal(during.retryAfterSeconds, '2');
      assert.equal(during.Reason, 'CallerRateLimitExceeded');
      clock.advance(500);
      const after = await lambda
        .send(new GetFunctionCommand({ FunctionName: 'burst' }))
        .catch((e: unknown) => e);
      assert.ok(!(after instanceof Error), 'the burst ended');
    });
  });

  test('a probabilistic throttle refuses some calls and lets others through', async () => {
    await withSim({ seed: 3 }, async (sim, lambda) => {
      await createCanary(lambda, 'some', {}, 0.1);
      sim.faults.throttle({ operation: 'GetAlias', probability: 0.5 });
      let throttled = 0;
      for (let i = 0; i < 40; i++) {
        const result = await lambda
          .send(new GetAliasCommand({ FunctionName: 'some', Name: 'live' }))
          .catch((e: unknown) => e);
        if (result instanceof TooManyRequestsException) throttled++;
      }
      assert.ok(throttled > 5 && throttled < 35, `${throttled} of 40 throttled`);
    });
  });

  test('a latency fault holds the matching call back at least that long and leaves others alone', async () => {
    await withSim({}, async (sim, lambda) => {
      await createCanary(lambda, 'slow', {}, 0.1);
      const fault = sim.faults.latency({ operation: 'GetAlias', ms: 300 });
      const startedAt = Date.now();
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'slow', Name: 'live' }));
      assert.equal(alias.Name, 'live');
      assert.ok(Date.now() - startedAt >= 290, 'the answer came after the added latency');
      fault.remove();
      assert.deepEqual(sim.faults.list(), []);
    });
  });

  test('the control API turns a version bad, lists and deletes alarms, and runs traffic', async () => {
    await withSim({}, async (sim, lambda) => {
      await createCanary(lambda, 'ctl', {}, 0.5);
      const fault = await control(sim.endpoint, 'POST', 'faults', {
        kind: 'versionBehaviour',
        functionName: 'ctl',
        version: '2',
        errorRate: 1,
      });
      assert.equal(fault.status, 201);
      const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'ctl', Qualifier: '2' }));
      assert.equal(invoked.FunctionError, 'Unhandled');
      assert.equal(invoked.ExecutedVersion, '2');

      const refused = await control(sim.endpoint, 'POST', 'alarms', { name: 'x', metric: 'Errors' });
      assert.equal(refused.status, 400, 'an alarm without period, threshold or comparison is refused');
      const alarm = {
        name: 'ctl-errors',
        metric: 'Errors',
        dimensions: { FunctionName: 'ctl', Resource: 'ctl:live', ExecutedVersion: '2' },
        statistic: 'Sum',
        threshold: 0,
        comparison: '>',
        periodSec: 10,
        evaluationPeriods: 1,
      };
      assert.equal((await control(sim.endpoint, 'POST', 'alarms', alarm)).status, 201);
      const traffic = await control(sim.endpoint, 'POST', 'traffic', {
        functionName: 'ctl',
        qualifier: 'live',
        ratePerSecond: 40,
      });
      assert.equal(traffic.status, 201);
      const stateOf = (reply: Awaited<ReturnType<typeof control>>) =>
        ((reply.body?.alarms ?? []) as { state: string }[])[0]?.state;
      const listed = await eventually(
        () => control(sim.endpoint, 'GET', 'alarms'),
        (reply) => stateOf(reply) === 'ALARM',
      );
      assert.equal(stateOf(listed), 'ALARM');
      assert.equal(
        (await control(sim.endpoint, 'DELETE', `traffic/${String(traffic.body?.id)}`)).status,
        204,
      );
      assert.equal((await control(sim.endpoint, 'DELETE', 'alarms/ctl-errors')).status, 204);
      assert.deepEqual((await control(sim.endpoint, 'GET', 'alarms')).body?.alarms, []);
      assert.deepEqual((await control(sim.endpoint, 'GET', 'traffic')).body?.traffic, []);
      assert.equal((await control(sim.endpoint, 'DELETE', `faults/${String(fault.body?.id)}`)).status, 204);
      const healed = await lambda.send(new InvokeCommand({ FunctionName: 'ctl', Qualifier: '2' }));
      assert.equal(healed.FunctionError, undefined);
    });
  });

  test('an accessDenied fault refuses the matching call as IAM words it (403), then is spent', async () => {
    await withSim({}, async (sim, lambda) => {
      await createCanary(lambda, 'denied', {}, 0.1);
      const added = await control(sim.endpoint, 'POST', 'faults', {
        kind: 'accessDenied',
        operation: 'GetAlias',
        count: 1,
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const refused = await lambda
        .send(new GetAliasCommand({ FunctionName: 'denied', Name: 'live' }))
        .catch((e: unknown) => e);
      assert.ok(refused instanceof LambdaServiceException, String(refused));
      assert.equal(refused.name, 'AccessDeniedException');
      assert.equal(refused.$metadata.httpStatusCode, 403);
      assert.match(
        refused.message,
        /is not authorized to perform: lambda:GetAlias on resource: arn:aws:lambda:/,
      );
      const after = await lambda.send(new GetAliasCommand({ FunctionName: 'denied', Name: 'live' }));
      assert.equal(after.Name, 'live');
    });
  });
});
