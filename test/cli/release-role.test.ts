/**
 * Cross-account releases as a user starts them: `ramp release start --role-arn … --external-id …` through the
 * real API, and the API's answers to a malformed role.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { runCli, withListeningApi } from '../helpers/cli.ts';
import { externalId, roleArn, twoAccounts } from '../helpers/cross-account.ts';
import { zipWith } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';

test('`ramp release start --role-arn --external-id --wait` releases into the role’s account', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-role-'));
  try {
    await withListeningApi({}, async (api) => {
      const name = uniqueName('cli-role');
      const { target } = await twoAccounts(api.stack, name);
      try {
        const zipPath = join(dir, 'build.zip');
        writeFileSync(zipPath, zipWith({}, `${name}-v2`));
        const run = await runCli(
          [
            'release',
            'start',
            '--function',
            name,
            '--alias',
            'live',
            '--zip',
            zipPath,
            '--strategy',
            'AllAtOnce',
            '--role-arn',
            roleArn,
            '--external-id',
            externalId,
            '--wait',
          ],
          { env: { RAMP_API_URL: api.url } },
        );
        assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stdout, /succeeded/);
        const alias = await target.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
        assert.equal(alias.FunctionVersion, '2');
        const own = await api.stack.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
        assert.equal(own.FunctionVersion, '1');
      } finally {
        target.destroy();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the API refuses a malformed roleArn, an externalId without a role, and a role in another account than the function ARN; OpenAPI names both fields', async () => {
  await withListeningApi({}, async (api) => {
    const base = { function: 'orders', alias: 'live', version: '3' };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ roleArn: 'arn:aws:iam::12345:role/x' }, 'roleArn', /IAM role ARN/],
      [{ roleArn: 'arn:aws:iam::222222222222:user/x' }, 'roleArn', /IAM role ARN/],
      [{ externalId: 'abc' }, 'externalId', /give roleArn too/],
      [{ roleArn, externalId: 'x' }, 'externalId', /2 to 1224/],
      [
        { function: 'arn:aws:lambda:us-east-1:333333333333:function:orders', roleArn },
        'roleArn',
        /account 222222222222 .* account 333333333333/,
      ],
    ];
    for (const [fields, field, message] of cases) {
      const answer = await api.call('POST', '/v1/releases', { body: { ...base, ...fields } });
      assert.equal(answer.status, 400, JSON.stringify(answer.json));
      const problem = answer.json.error?.problems?.find((p) => p.field === field);
      assert.ok(problem, JSON.stringify(answer.json));
      assert.match(problem.message, message);
    }
    const openapi = await api.call('GET', '/openapi.json');
    const text = JSON.stringify(openapi.json);
    assert.match(text, /"roleArn":\{/);
    assert.match(text, /"externalId":\{/);
  });
});
