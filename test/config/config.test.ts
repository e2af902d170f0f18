import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('the CLI finds the API at RAMP_API_URL, or on loopback at RAMP_API_PORT when that is unset', () => {
  assert.equal(loadConfig({}).client.apiUrl, 'http://127.0.0.1:8080');
  assert.equal(loadConfig({ RAMP_API_PORT: '9191' }).client.apiUrl, 'http://127.0.0.1:9191');
  assert.equal(
    loadConfig({ RAMP_API_PORT: '9191', RAMP_API_URL: 'https://ramp.example.com' }).client.apiUrl,
    'https://ramp.example.com',
  );
  assert.equal(loadConfig({ RAMP_API_TOKEN: 'secret-token-123' }).client.token, 'secret-token-123');
});

test('AWS_ENDPOINT_URL_LAMBDA and RAMP_API_URL are read through config and must be URLs', () => {
  assert.equal(
    loadConfig({ AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:4566' }).lambdaEndpoint,
    'http://127.0.0.1:4566',
  );
  assert.equal(loadConfig({}).lambdaEndpoint, undefined);
  assert.throws(() => loadConfig({ RAMP_API_URL: 'not a url' }), ConfigError);
});

test('the Lambda budget is 7.5/s in AWS_REGION by default, configurable per region and account, and 0 turns it off', () => {
  assert.deepEqual(loadConfig({ AWS_REGION: 'eu-west-1' }).lambdaBudgets, [
    { region: 'eu-west-1', account: undefined, perSecond: 7.5 },
  ]);
  assert.deepEqual(
    loadConfig({ RAMP_LAMBDA_BUDGET: '5', RAMP_LAMBDA_BUDGET_REGIONS: 'us-east-1,eu-west-1=3' })
      .lambdaBudgets,
    [
      { region: 'us-east-1', account: undefined, perSecond: 5 },
      { region: 'eu-west-1', account: undefined, perSecond: 3 },
    ],
  );
  assert.deepEqual(loadConfig({ RAMP_LAMBDA_BUDGET: '0' }).lambdaBudgets, []);
  assert.throws(() => loadConfig({ RAMP_LAMBDA_BUDGET_REGIONS: 'everywhere' }), ConfigError);
  assert.equal(loadConfig({}).localStack.simQuotas, false);
  assert.equal(loadConfig({ RAMP_SIM_QUOTAS: 'true' }).localStack.simQuotas, true);
});

test('RAMP_TARGET_ACCOUNTS lists the accounts released into by role (ids or role ARNs); a bad entry names the variable', () => {
  assert.deepEqual(loadConfig({}).targetAccounts, []);
  assert.deepEqual(
    loadConfig({ RAMP_TARGET_ACCOUNTS: '222222222222,arn:aws:iam::333333333333:role/ramp' }).targetAccounts,
    ['222222222222', '333333333333'],
  );
  assert.throws(() => loadConfig({ RAMP_TARGET_ACCOUNTS: 'prod' }), /RAMP_TARGET_ACCOUNTS: "prod"/);
});

test('worker sizing: 2,000 watch slots by default, the SDK defaults for the rest unless set, and bad counts named', () => {
  assert.deepEqual(loadConfig({}).worker, { watchSlots: 2000 });
  assert.deepEqual(
    loadConfig({
      RAMP_WORKER_WATCH_SLOTS: '5000',
      RAMP_WORKER_ACTIVITY_SLOTS: '50',
      RAMP_WORKER_WORKFLOW_SLOTS: '20',
      RAMP_WORKER_CACHED_WORKFLOWS: '3000',
    }).worker,
    { watchSlots: 5000, activitySlots: 50, workflowSlots: 20, cachedWorkflows: 3000 },
  );
  assert.deepEqual(loadConfig({ RAMP_WORKER_ACTIVITY_SLOTS: '' }).worker, { watchSlots: 2000 });
  for (const [name, value] of [
    ['RAMP_WORKER_WATCH_SLOTS', '0'],
    ['RAMP_WORKER_ACTIVITY_SLOTS', 'many'],
    ['RAMP_WORKER_CACHED_WORKFLOWS', '-3'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(name));
        return true;
      },
    );
  }
});
