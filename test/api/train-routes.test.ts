import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadAuthConfig } from '../../src/api/auth.ts';
import type { TrainStatus } from '../../src/domain/train-status.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { trainKit } from '../helpers/train-stack.ts';

const sha = (token: string) => createHash('sha256').update(token).digest('hex');

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  writeFileSync(
    path,
    JSON.stringify({
      tokens: [
        { name: 'admin', sha256: sha('admin-token-0123456789'), scopes: ['admin'], functions: ['*'] },
        {
          name: 'ci-payments',
          sha256: sha('payments-token-0123456789'),
          scopes: ['release', 'read', 'operate'],
          functions: ['payments-*'],
        },
      ],
    }),
  );
  return path;
}

const admin = 'admin-token-0123456789';
const target = (fn: string, region: string) => ({
  function: fn,
  region,
  code: { zipFile: zipBase64({}, `${fn}-${region}-2`) },
});

describe('trains over HTTP', () => {
  test('POST /v1/trains starts a train (202, links; the same Idempotency-Key gives it back), GET and the event stream follow it to its end', async () => {
    await withApiStack({ auth: loadAuthConfig({ tokensFile: tokensFile() }) }, async (api) => {
      const kit = trainKit(api.stack);
      try {
        const [fn, other] = [uniqueName('payments-api'), uniqueName('payments-worker')];
        await kit.createFunctionIn('us-east-1', fn);
        await kit.createFunctionIn('eu-west-1', fn);
        await kit.createFunctionIn('eu-west-1', other);
        const spec = {
          name: 'payments 2.4.0',
          defaults: { alias: 'live', strategy: 'AllAtOnce' },
          waves: [
            { name: 'canary', targets: [target(fn, 'us-east-1')] },
            { name: 'rest', approval: true, targets: [target(fn, 'eu-west-1'), target(other, 'eu-west-1')] },
          ],
        };
        const headers = { 'idempotency-key': uniqueName('deploy') };
        const started = await api.call('POST', '/v1/trains', { token: admin, body: spec, headers });
        assert.equal(started.status, 202, JSON.stringify(started.json));
        const id = String(started.json.id);
        const links = started.json.links as Record<string, string>;
        assert.ok(links.self?.endsWith(`/v1/trains/${id}`) && links.approve?.endsWith('/approve'));
        const again = await api.call('POST', '/v1/trains', { token: admin, body: spec, headers });
        assert.equal(again.status, 200);
        assert.equal(again.json.id, id);

        await kit.waitForTrain(id, (s) => s.awaitingApproval);
        const read = await api.call('GET', `/v1/trains/${id}`, { token: admin });
        assert.equal(read.status, 200);
        const status = read.json as unknown as TrainStatus;
        assert.equal(status.phase, 'awaiting_approval');
        assert.deepEqual(
          status.waves.map((w) => [
            w.name,
            w.state,
            w.targets.map((t) => `${t.function}:${t.alias}@${t.region}`),
          ]),
          [
            ['canary', 'promoted', [`${fn}:live@us-east-1`]],
            ['rest', 'awaiting_approval', [`${fn}:live@eu-west-1`, `${other}:live@eu-west-1`]],
          ],
        );
        const listed = await api.call('GET', '/v1/trains?running=true', { token: admin });
        assert.ok((listed.json.trains as { id: string }[]).some((t) => t.id === id));

        const approved = await api.call('POST', `/v1/trains/${id}/approve`, {
          token: admin,
          body: { reason: 'canary is fine' },
        });
        assert.equal(approved.status, 200, JSON.stringify(approved.json));
        const events = await api.app.inject({
          method: 'GET',
          url: `/v1/trains/${id}/events`,
          headers: { authorization: `Bearer ${admin}` },
        });
        assert.equal(events.statusCode, 200);
        assert.match(events.body, /event: status/);
        assert.match(events.body, new RegExp(`event: end\\ndata: \\{"id":"${id}","outcome":"succeeded"\\}`));

        const refused = await api.call('POST', `/v1/trains/${id}/pause`, { token: admin, body: {} });
        assert.equal(refused.status, 409);
        assert.match(refused.json.error?.message ?? '', /already ended/);
      } finally {
        kit.close();
      }
    });
  });

  test('a spec problem names its target; a token must cover every target; a busy alias is a 409 naming it', async () => {
    await withApiStack({ auth: loadAuthConfig({ tokensFile: tokensFile() }) }, async (api) => {
      const kit = trainKit(api.stack);
      try {
        const [fn, outsider] = [uniqueName('payments-api'), uniqueName('auth-api')];
        await kit.createFunctionIn('us-east-1', fn);
        const bad = await api.call('POST', '/v1/trains', {
          token: admin,
          body: {
            name: 'bad',
            waves: [
              { name: 'one', targets: [{ ...target(fn, 'us-east-1'), alias: 'live', strategy: 'Often' }] },
            ],
          },
        });
        assert.equal(bad.status, 400);
        assert.equal(bad.json.error?.type, 'InvalidSpec');
        assert.equal(bad.json.error?.problems?.[0]?.field, 'waves.0.targets.0.strategy');

        const forbidden = await api.call('POST', '/v1/trains', {
          token: 'payments-token-0123456789',
          body: {
            name: 'mixed',
            defaults: { alias: 'live' },
            waves: [{ name: 'one', targets: [target(fn, 'us-east-1'), target(outsider, 'us-east-1')] }],
          },
        });
        assert.equal(forbidden.status, 403);
        assert.match(forbidden.json.error?.message ?? '', new RegExp(outsider));

        const single = await api.call('POST', '/v1/releases', {
          token: admin,
          body: {
            ...target(fn, 'us-east-1'),
            alias: 'live',
            strategy: { steps: [{ weight: 10, bake: '1h' }] },
          },
        });
        assert.equal(single.status, 202);
        const busy = await api.call('POST', '/v1/trains', {
          token: 'payments-token-0123456789',
          body: {
            name: 'busy',
            defaults: { alias: 'live' },
            waves: [{ name: 'one', targets: [target(fn, 'us-east-1')] }],
          },
        });
        assert.equal(busy.status, 409);
        assert.equal(busy.json.error?.type, 'AlreadyRunning');
        assert.match(
          busy.json.error?.message ?? '',
          new RegExp(`${fn}:live \\(us-east-1\\): ${single.json.id}`),
        );
        await api.call('POST', `/v1/releases/${single.json.id}/abort`, { token: admin, body: {} });
      } finally {
        kit.close();
      }
    });
  });
});
