import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, withListeningApi } from '../helpers/cli.ts';
import { zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';

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
      const first = await runCli([...args, specPath, '--idempotency-key', 'ci-run-42'], { env });
      assert.equal(first.status, 0, first.stderr);
      const retry = await runCli([...args, specPath, '--idempotency-key', 'ci-run-42'], { env });
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
