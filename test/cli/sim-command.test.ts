import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { GetFunctionCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { startSimulator } from '../../src/sim/index.ts';
import { eventually } from '../helpers/wait-for.ts';

test('`ramp sim` prints its endpoint and env lines, serves Lambda there, and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, ['bin/ramp.mjs', 'sim', '--update-delay', '10'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, RAMP_SIM_METRIC_DELAY: '5s' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // The banner's last line says how late metrics land; wait for it, so every line has arrived.
    const hasBanner = () => /CloudWatch metrics land/.test(output);
    await eventually(hasBanner, Boolean, 60_000, 50);
    if (!hasBanner()) assert.fail(`no banner printed:\n${output}`);
    const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    assert.ok(endpoint, output);
    assert.match(output, new RegExp(`AWS_ENDPOINT_URL_LAMBDA=${endpoint}`));
    assert.match(output, /CloudWatch metrics land 5s after each invocation/, 'RAMP_SIM_METRIC_DELAY is read');
    const lambda = new LambdaClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const missing = await lambda
      .send(new GetFunctionCommand({ FunctionName: 'nothing-here' }))
      .catch((e: unknown) => e);
    assert.ok(missing instanceof ResourceNotFoundException);
    lambda.destroy();
  } finally {
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  }
});

function runRamp(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/ramp.mjs', ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

test('`ramp sim fault` prints the new fault as JSON, and refuses a bad one before sending it (exit 2)', async () => {
  const sim = await startSimulator({});
  try {
    const added = await runRamp([
      'sim',
      'fault',
      'throttle',
      '--endpoint',
      sim.endpoint,
      '--operation',
      'GetAlias',
      '--count',
      '1',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(JSON.parse(added.stdout), { id: 'fault-1' });
    assert.equal(sim.faults.list()[0]?.operation, 'GetAlias');

    const refused = await runRamp([
      'sim',
      'fault',
      'throttle',
      '--endpoint',
      sim.endpoint,
      '--probability',
      '2',
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /probability/);
    assert.equal(sim.faults.list().length, 1, 'the bad fault never reached the simulator');
  } finally {
    await sim.close();
  }
});
