import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipBase64, zipWith } from '../helpers/release-stack.ts';
import { eventually } from '../helpers/wait-for.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The README's run command, as a user runs it: `ramp dev` brings up Temporal, the simulator with a sample
// function and traffic, a worker and the API; a release through it succeeds; Ctrl-C stops it all.
test('the local stack starts with one command, takes a release over HTTP, and stops on Ctrl-C', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ramp-local-'));
  const ports = {
    api: await freePort(),
    sim: await freePort(),
    temporal: await freePort(),
    ui: await freePort(),
  };
  const child = spawn(process.execPath, ['bin/ramp.mjs', 'dev'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: {
      ...process.env,
      RAMP_DATA_DIR: dataDir,
      RAMP_API_PORT: String(ports.api),
      RAMP_SIM_PORT: String(ports.sim),
      RAMP_TEMPORAL_PORT: String(ports.temporal),
      RAMP_TEMPORAL_UI_PORT: String(ports.ui),
      RAMP_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const isUp = () => output.includes('Ramp local stack is up.');
    await eventually(() => isUp() || child.exitCode !== null, Boolean, 60_000, 100);
    if (!isUp()) assert.fail(`the stack did not come up:\n${output}`);
    const api = `http://127.0.0.1:${ports.api}`;
    assert.match(output, new RegExp(`API:\\s+${api}`));
    assert.match(output, /hello-ramp:live/);
    // The banner's example runs from any directory with the CLI: the API's URL to export, a sample build.
    assert.ok(output.includes(`export RAMP_API_URL=${api}`), output);
    assert.doesNotMatch(output, /require\('fflate'\)/);
    const example = /npx ramp release start (\S+) --zip (\S+) --wait/.exec(output);
    assert.ok(example?.[1] && existsSync(example[1]) && example[2] && existsSync(example[2]), output);
    assert.match(output, new RegExp(`Dashboard:\\s+${api}/ui`));
    const dashboard = await fetch(`${api}/ui`);
    assert.equal(dashboard.status, 200, 'the dashboard is served with no extra command');
    assert.match(await dashboard.text(), /<script type="importmap">/);

    const response = await fetch(`${api}/v1/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        function: 'hello-ramp',
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 20, bake: '1s' }] },
      }),
    });
    assert.equal(response.status, 202);
    const { id } = (await response.json()) as { id: string };
    const outcome = await eventually(
      async () =>
        ((await (await fetch(`${api}/v1/releases/${id}`)).json()) as { outcome: string | null }).outcome,
      (value) => value !== null,
      60_000,
      200,
    );
    assert.equal(outcome, 'succeeded');
    const alias = await fetch(`http://127.0.0.1:${ports.sim}/2015-03-31/functions/hello-ramp/aliases/live`);
    assert.equal(((await alias.json()) as { FunctionVersion: string }).FunctionVersion, '2');

    // The CLI, as a pipeline step would run it: upload a zip, follow the release, exit 0 on success.
    const zipPath = join(dataDir, 'build.zip');
    writeFileSync(zipPath, zipWith({}, 'cli-build'));
    const cli = spawnSync(
      process.execPath,
      [
        'bin/ramp.mjs',
        'release',
        'start',
        '--function',
        'hello-ramp',
        '--alias',
        'live',
        '--zip',
        zipPath,
        '--strategy',
        'AllAtOnce',
        '--wait',
      ],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { ...process.env, RAMP_API_URL: api },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(cli.status, 0, `${cli.stdout}${cli.stderr}`);
    assert.match(cli.stdout, /promoted/);
    assert.match(cli.stdout, /: succeeded/);
  } finally {
    child.kill('SIGINT');
    const code = await exited;
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(code, 0, `the stack stopped cleanly:\n${output.slice(-2000)}`);
  }
});
