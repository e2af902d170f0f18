import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, withListeningApi } from '../helpers/cli.ts';
import { zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { trainKit } from '../helpers/train-stack.ts';

test('`ramp train start train.yaml --wait` prints waves and targets as they move and exits 0 on success, 3 on a rollback', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-train-'));
  try {
    await withListeningApi({}, async (api) => {
      const kit = trainKit(api.stack);
      try {
        const [fn, worker] = [uniqueName('api'), uniqueName('worker')];
        await kit.createFunctionIn('us-east-1', fn);
        await kit.createFunctionIn('eu-west-1', fn);
        await kit.createFunctionIn('eu-west-1', worker);
        writeFileSync(join(dir, 'api.zip'), zipWith({}, `${fn}-2`));
        writeFileSync(join(dir, 'worker.zip'), zipWith({}, `${worker}-2`));
        const trainFile = join(dir, 'train.yaml');
        writeFileSync(
          trainFile,
          [
            'name: shop 2.0',
            'defaults:',
            '  alias: live',
            '  strategy: { steps: [{ weight: 50, bake: 300ms }] }',
            'waves:',
            '  - name: canary',
            `    targets: [{ function: ${fn}, region: us-east-1, code: { zipPath: api.zip } }]`,
            '  - name: rest',
            '    maxParallel: 1',
            '    targets:',
            `      - { function: ${fn}, region: eu-west-1, code: { zipPath: api.zip } }`,
            `      - { function: ${worker}, region: eu-west-1, code: { zipPath: worker.zip } }`,
          ].join('\n'),
        );
        const env = { RAMP_API_URL: api.url };
        const run = await runCli(['train', 'start', trainFile, '--wait'], { env, timeoutMs: 120_000 });
        assert.equal(run.status, 0, run.stderr + run.stdout);
        const id = /train (\S+) started/.exec(run.stdout)?.[1] ?? '';
        assert.match(run.stdout, /wave 1 canary: running/);
        assert.match(run.stdout, new RegExp(`${fn}:live \\(eu-west-1\\): succeeded`));
        assert.match(run.stdout, /wave 2 rest: promoted/);
        assert.match(run.stdout, new RegExp(`train ${id}: succeeded`));

        const status = await runCli(['train', 'status', id], { env });
        assert.equal(status.status, 0, status.stderr);
        assert.match(status.stdout, new RegExp(`${worker}:live \\(eu-west-1\\)\\s+succeeded`));
        const list = await runCli(['train', 'list'], { env });
        assert.match(list.stdout, new RegExp(`${id}\\s+shop 2.0`));

        // The second train fails in its last wave (no such alias), so the first wave is rolled back: exit 3.
        writeFileSync(
          trainFile,
          [
            'name: shop 2.1',
            'defaults: { alias: live, strategy: AllAtOnce }',
            'waves:',
            `  - { name: one, targets: [{ function: ${fn}, region: us-east-1, code: { zipPath: worker.zip } }] }`,
            `  - { name: two, targets: [{ function: ${worker}, region: eu-west-1, alias: missing, code: { zipPath: api.zip } }] }`,
          ].join('\n'),
        );
        const failed = await runCli(['train', 'start', trainFile, '--wait'], { env, timeoutMs: 120_000 });
        assert.equal(failed.status, 3, failed.stderr + failed.stdout);
        assert.match(failed.stdout, new RegExp(`${fn}:live \\(us-east-1\\): rolled_back`));
        assert.match(failed.stdout, /: rolled_back$/m);
      } finally {
        kit.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`ramp train approve` lets a gated wave start, `ramp train watch` follows it, and a bad file is one line with exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-train-'));
  try {
    await withListeningApi({}, async (api) => {
      const kit = trainKit(api.stack);
      try {
        const fn = uniqueName('gated');
        await kit.createFunctionIn('us-east-1', fn);
        await kit.createFunctionIn('eu-west-1', fn);
        const trainFile = join(dir, 'train.json');
        const code = { zipFile: Buffer.from(zipWith({}, `${fn}-2`)).toString('base64') };
        writeFileSync(
          trainFile,
          JSON.stringify({
            name: 'gated',
            defaults: { function: fn, alias: 'live', strategy: 'AllAtOnce', code },
            waves: [
              { name: 'us', targets: [{ region: 'us-east-1' }] },
              { name: 'eu', approval: true, targets: [{ region: 'eu-west-1' }] },
            ],
          }),
        );
        const env = { RAMP_API_URL: api.url };
        const started = await runCli(['train', 'start', trainFile], { env });
        assert.equal(started.status, 0, started.stderr);
        const id = /train (\S+) started/.exec(started.stdout)?.[1] ?? '';
        await kit.waitForTrain(id, (s) => s.awaitingApproval);
        const approved = await runCli(['train', 'approve', id, '--reason', 'us looks good'], { env });
        assert.equal(approved.status, 0, approved.stderr);
        const watched = await runCli(['train', 'watch', id], { env, timeoutMs: 120_000 });
        assert.equal(watched.status, 0, watched.stderr + watched.stdout);
        assert.match(watched.stdout, /outcome succeeded/);

        writeFileSync(
          join(dir, 'bad.yaml'),
          'name: bad\nwaves: [{ name: one, targets: [{ function: f, alias: live }] }]\n',
        );
        const bad = await runCli(['train', 'start', join(dir, 'bad.yaml')], { env });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /waves\.0\.targets\.0\.code/);
        assert.doesNotMatch(bad.stderr, /\n\s+at /);
      } finally {
        kit.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
