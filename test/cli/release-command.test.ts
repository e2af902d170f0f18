import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { runCli, withListeningApi } from '../helpers/cli.ts';
import { zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

const startedIdOf = (stdout: string) => /release (\S+) started/.exec(stdout)?.[1];

test('`ramp release start --idempotency-key` retried returns the first release’s id and starts nothing new', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-'));
  try {
    await withListeningApi({}, async (api) => {
      const name = uniqueName('cli-idem');
      await api.stack.createFunctionWithAlias(name, 'live');
      const zipPath = join(dir, 'build.zip');
      writeFileSync(zipPath, zipWith({}, `${name}-v2`));
      // A long bake keeps the first release running, so a retry without the key would get a 409.
      const args = ['release', 'start', '--function', name, '--alias', 'live', '--zip', zipPath];
      const specPath = join(dir, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ strategy: { steps: [{ weight: 10, bake: '10m' }] } }));
      const env = { RAMP_API_URL: api.url };
      // Keys are global in the namespace, as a CI system's are: each test uses its own.
      const key = `ci-run-${name}`;
      const first = await runCli([...args, specPath, '--idempotency-key', key], { env });
      assert.equal(first.status, 0, first.stderr);
      const retry = await runCli([...args, specPath, '--idempotency-key', key], { env });
      assert.equal(retry.status, 0, retry.stderr);
      const firstId = startedIdOf(first.stdout);
      assert.ok(firstId, first.stdout);
      assert.equal(startedIdOf(retry.stdout), firstId);
      assert.equal(api.startCalls(), 2);
      const runs = await api.stack.releases.list({ functionName: name });
      assert.equal(runs.releases.length, 1);
      await api.stack.releases.control(firstId, 'abort');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const stackTrace = /\n\s+at .+\(.+:\d+:\d+\)/;

test('bad input gets one line saying what is wrong and exit code 2, never a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-'));
  try {
    // Nothing listens here: every case must be refused before any request.
    const env = { RAMP_API_URL: 'http://127.0.0.1:9' };
    const start = ['release', 'start', '--function', 'orders', '--alias', 'live'];
    const cases: [string, string[], RegExp][] = [
      [
        'missing --zip file',
        [...start, '--zip', join(dir, 'nope.zip')],
        /cannot read --zip .*nope\.zip: no such file/,
      ],
      ['a directory as --zip', [...start, '--zip', dir], /is a directory/],
      [
        'missing spec file',
        ['release', 'start', join(dir, 'release.yaml')],
        /cannot read the spec file .*: no such file/,
      ],
      ['unknown flag', [...start, '--colour', 'red'], /unknown option '--colour'/],
      ['--zip with --image', [...start, '--zip', 'a.zip', '--image', 'x'], /cannot be used with option/],
      ['--version with --zip', [...start, '--version', '7', '--zip', 'a.zip'], /cannot be used with option/],
      ['a bad --limit', ['release', 'list', '--limit', 'lots'], /--limit must be a whole number/],
    ];
    for (const [name, args, message] of cases) {
      const run = await runCli(args, { env });
      assert.equal(run.status, 2, `${name}: ${run.stderr}`);
      assert.match(run.stderr, message, name);
      assert.doesNotMatch(run.stderr, stackTrace, `${name}: no stack trace`);
    }
    const unreachable = await runCli(['release', 'list'], { env });
    assert.equal(unreachable.status, 2);
    assert.match(
      unreachable.stderr,
      /cannot reach the Ramp API at http:\/\/127\.0\.0\.1:9 .*set RAMP_API_URL/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 401 says to set RAMP_API_TOKEN', async () => {
  await withListeningApi({ auth: loadAuthConfig({ adminToken: 'admin-token-0123456789' }) }, async (api) => {
    const run = await runCli(['release', 'list'], { env: { RAMP_API_URL: api.url } });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^ramp: missing bearer token.*\(set RAMP_API_TOKEN\)\n$/);
    const ok = await runCli(['release', 'list', '--json'], {
      env: { RAMP_API_URL: api.url, RAMP_API_TOKEN: 'admin-token-0123456789' },
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(Object.keys(JSON.parse(ok.stdout)).sort(), ['nextPageToken', 'releases']);
  });
});

test('control commands print the state after they took effect; status shows steps, weight, bake left and versions; list has columns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-'));
  try {
    await withListeningApi({}, async (api) => {
      const name = uniqueName('cli-ctl');
      await api.stack.createFunctionWithAlias(name, 'live');
      const zipPath = join(dir, 'build.zip');
      writeFileSync(zipPath, zipWith({}, `${name}-v2`));
      const specPath = join(dir, 'spec.yaml');
      writeFileSync(specPath, 'strategy:\n  steps:\n    - { weight: 10, bake: 10m }\n');
      const env = { RAMP_API_URL: api.url };
      const started = await runCli(
        [
          'release',
          'start',
          specPath,
          '--function',
          name,
          '--alias',
          'live',
          '--zip',
          zipPath,
          '--description',
          'build 42',
          '--json',
        ],
        { env },
      );
      assert.equal(started.status, 0, started.stderr);
      const { id } = JSON.parse(started.stdout) as { id: string };
      await waitForStatus(api.stack.releases, id, (status) => status.phase === 'baking');

      const paused = await runCli(['release', 'pause', id, '--reason', 'lunch'], { env });
      assert.equal(paused.status, 0, paused.stderr);
      assert.match(paused.stdout, /^state\s+paused$/m);

      const resumed = await runCli(['release', 'resume', id], { env });
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stdout, /^state\s+baking$/m, 'resume printed the state after it took effect');

      const status = await runCli(['release', 'status', id], { env });
      assert.equal(status.status, 0, status.stderr);
      assert.match(status.stdout, /^steps\s+▶ 1 10%$/m);
      assert.match(status.stdout, /^weight\s+10% on the candidate$/m);
      assert.match(status.stdout, /^bake\s+\d+m\d+s left/m);
      assert.match(status.stdout, /^stable\s+1$/m);
      assert.match(status.stdout, /^candidate\s+2$/m);
      const json = await runCli(['release', 'status', id, '--json'], { env });
      assert.equal(
        (JSON.parse(json.stdout) as { candidateWeightPercent: number }).candidateWeightPercent,
        10,
      );

      const aborted = await runCli(['release', 'abort', id, '--json'], { env });
      assert.equal(aborted.status, 0, aborted.stderr);
      assert.notEqual((JSON.parse(aborted.stdout) as { phase: string }).phase, 'baking');
      await waitForEnd(api.stack.releases, id);

      const list = await runCli(['release', 'list', '--function', name], { env });
      assert.equal(list.status, 0, list.stderr);
      const [header, row] = list.stdout.trim().split('\n');
      assert.match(header ?? '', /^RELEASE\s+STARTED\s+ENDED\s+VERSIONS\s+DESCRIPTION\s+OUTCOME$/);
      assert.ok(row?.startsWith(id), row);
      assert.match(row ?? '', /1 → 2\s+build 42\s+rolled_back$/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`ramp release list | head` ends quietly when the reader closes the pipe', async () => {
  await withListeningApi({}, async (api) => {
    const child = spawn(process.execPath, ['bin/ramp.mjs', 'release', 'list', '--json'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, RAMP_API_URL: api.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the CLI writes a byte, as `head` is once it has its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(status, 0);
  });
});

test('`ramp release start --version N --wait` goes back to a published version, and `ramp --version` still prints Ramp’s', async () => {
  await withListeningApi({}, async (api) => {
    const name = uniqueName('cli-version');
    const { stableVersion } = await api.stack.createFunctionWithAlias(name, 'live');
    const upgrade = await api.stack.startRelease({
      function: name,
      alias: 'live',
      code: { zipFile: Buffer.from(zipWith({}, `${name}-v2`)).toString('base64') },
      strategy: 'AllAtOnce',
    });
    assert.equal((await waitForEnd(api.stack.releases, upgrade)).outcome, 'succeeded');
    const env = { RAMP_API_URL: api.url };
    const back = await runCli(
      [
        'release',
        'start',
        '--function',
        name,
        '--alias',
        'live',
        '--version',
        stableVersion,
        '--strategy',
        'AllAtOnce',
        '--wait',
      ],
      { env },
    );
    assert.equal(back.status, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`releasing existing version ${stableVersion}`));
    const own = await runCli(['--version'], { env });
    assert.equal(own.stdout.trim(), '0.1.0');
  });
});
