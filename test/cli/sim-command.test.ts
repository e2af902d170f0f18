import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { GetFunctionCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';

test('`ramp sim` prints its endpoint and env lines, serves Lambda there, and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, ['bin/ramp.mjs', 'sim', '--update-delay', '10'], {
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    let endpoint: string | undefined;
    while (!endpoint) {
      endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (Date.now() > deadline) assert.fail(`no endpoint printed:\n${output}`);
      if (!endpoint) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(output, new RegExp(`AWS_ENDPOINT_URL_LAMBDA=${endpoint}`));
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
