import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConfigError, configVariables, loadConfig } from '../src/config.ts';

test("RAMP_SIM_METRIC_DELAY is a duration for the simulator's CloudWatch delay, 60 s by default as on AWS", () => {
  assert.ok(configVariables.includes('RAMP_SIM_METRIC_DELAY'));
  assert.equal(loadConfig({}).localStack.simMetricDelayMs, 60_000);
  assert.equal(loadConfig({ RAMP_SIM_METRIC_DELAY: '0s' }).localStack.simMetricDelayMs, 0);
  assert.equal(loadConfig({ RAMP_SIM_METRIC_DELAY: '1m30s' }).localStack.simMetricDelayMs, 90_000);
  assert.throws(() => loadConfig({ RAMP_SIM_METRIC_DELAY: 'soon' }), ConfigError);
});

test('the worker serves metrics only when RAMP_WORKER_METRICS_PORT is set (0: any free port), and drains for RAMP_WORKER_SHUTDOWN_GRACE, 30 s by default', () => {
  assert.deepEqual(loadConfig({}).workerProcess, {
    metricsPort: undefined,
    metricsHost: '127.0.0.1',
    shutdownGraceMs: 30_000,
  });
  assert.equal(loadConfig({ RAMP_WORKER_METRICS_PORT: '' }).workerProcess.metricsPort, undefined);
  assert.equal(loadConfig({ RAMP_WORKER_METRICS_PORT: '0' }).workerProcess.metricsPort, 0);
  assert.equal(loadConfig({ RAMP_WORKER_METRICS_PORT: '9464' }).workerProcess.metricsPort, 9464);
  assert.equal(loadConfig({ RAMP_WORKER_METRICS_HOST: '0.0.0.0' }).workerProcess.metricsHost, '0.0.0.0');
  assert.equal(loadConfig({ RAMP_WORKER_SHUTDOWN_GRACE: '2m' }).workerProcess.shutdownGraceMs, 120_000);
  assert.throws(
    () => loadConfig({ RAMP_WORKER_METRICS_PORT: 'nine' }),
    /RAMP_WORKER_METRICS_PORT: a port number/,
  );
  assert.throws(() => loadConfig({ RAMP_WORKER_SHUTDOWN_GRACE: 'soon' }), /RAMP_WORKER_SHUTDOWN_GRACE/);
  for (const name of ['RAMP_WORKER_METRICS_PORT', 'RAMP_WORKER_METRICS_HOST', 'RAMP_WORKER_SHUTDOWN_GRACE'])
    assert.ok(configVariables.includes(name));
});

test("the README's configuration table lists every variable src/config.ts reads", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.split('## Configuration (environment variables)')[1]?.split('\n## ')[0] ?? '';
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  const missing = configVariables.filter((name) => !rows.some((row) => row.includes(`\`${name}\``)));
  assert.deepEqual(missing, [], 'every variable has a row');
});
