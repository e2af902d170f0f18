import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, configVariables, loadConfig } from '../src/config.ts';

test("RAMP_SIM_METRIC_DELAY is a duration for the simulator's CloudWatch delay, 60 s by default as on AWS", () => {
  assert.ok(configVariables.includes('RAMP_SIM_METRIC_DELAY'));
  assert.equal(loadConfig({}).localStack.simMetricDelayMs, 60_000);
  assert.equal(loadConfig({ RAMP_SIM_METRIC_DELAY: '0s' }).localStack.simMetricDelayMs, 0);
  assert.equal(loadConfig({ RAMP_SIM_METRIC_DELAY: '1m30s' }).localStack.simMetricDelayMs, 90_000);
  assert.throws(() => loadConfig({ RAMP_SIM_METRIC_DELAY: 'soon' }), ConfigError);
});
