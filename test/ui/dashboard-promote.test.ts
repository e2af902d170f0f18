import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import type { BrowserContext, Page } from 'playwright-core';
import { loadAuthConfig } from '../../src/api/auth.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { eventually, waitForEnd } from '../helpers/wait-for.ts';

// "Promote to 100%" and the status's structured requestedBy and codeSha256, as a person meets them:
// headless Chromium against the real API, worker, Temporal dev server and simulator.
const adminToken = 'promote-admin-token-0123456789';
const viewerToken = 'promote-viewer-token-0123456789';
const sha = (token: string) => createHash('sha256').update(token).digest('hex');
const waitMs = 45_000;

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  const tokens = [
    { name: 'release-captain', sha256: sha(adminToken), scopes: ['admin'] },
    { name: 'viewer', sha256: sha(viewerToken), scopes: ['read'] },
  ];
  writeFileSync(path, JSON.stringify({ tokens }));
  return path;
}

function watchErrors(page: Page, errors: string[]) {
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|ERR_FAILED/.test(message.text()))
      errors.push(`${page.url()}: console: ${message.text()}`);
  });
}

test('promote to 100% skips the remaining steps after a confirmation, and the page shows who asked and the CodeSha256', async (t) => {
  const auth = loadAuthConfig({ tokensFile: tokensFile() });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  // Each page's requests for the release's event stream: it renders every second and on every status.
  const streamsOpened = new Map<Page, number>();
  try {
    await withApiStack({ auth }, async (api) => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const fn = uniqueName('ui-promote');
      await api.stack.createFunctionWithAlias(fn, 'live');
      const zip = zipBase64();
      const expectedSha = createHash('sha256').update(Buffer.from(zip, 'base64')).digest('base64');
      const started = await api.call('POST', '/v1/releases', {
        token: adminToken,
        body: {
          function: fn,
          alias: 'live',
          code: { zipFile: zip },
          strategy: {
            steps: [
              { weight: 10, bake: '1h' },
              { weight: 50, bake: '1h', approval: true },
            ],
          },
        },
      });
      assert.equal(started.status, 202);
      const id = String(started.json.id);
      const page = `${base}/ui/releases/${encodeURIComponent(id)}`;

      const openAs = async (token: string) => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        contexts.push(context);
        await context.addInitScript(`sessionStorage.setItem('ramp.token', ${JSON.stringify(token)})`);
        const opened = await context.newPage();
        watchErrors(opened, errors);
        opened.on('request', (request) => {
          if (new URL(request.url()).pathname.endsWith('/events'))
            streamsOpened.set(opened, (streamsOpened.get(opened) ?? 0) + 1);
        });
        await opened.goto(page);
        return opened;
      };

      await t.test(
        'the API’s status names who started the release and the CodeSha256 Lambda reported',
        async () => {
          const status = await api.stack.releases.status(id);
          assert.equal(status.requestedBy, 'release-captain');
          const baking = await eventually(
            async () =>
              (await api.call('GET', `/v1/releases/${encodeURIComponent(id)}`, { token: viewerToken }))
                .json as unknown as ReleaseStatus,
            (body) => body.phase === 'baking' || body.outcome !== null,
            waitMs,
          );
          assert.equal(baking.requestedBy, 'release-captain');
          assert.equal(baking.codeSha256, expectedSha);
          const openapi = await api.call('GET', '/openapi.json');
          const schema = JSON.stringify(openapi.json);
          assert.match(schema, /"requestedBy"/);
          assert.match(schema, /"codeSha256"/);
        },
      );

      const admin = await openAs(adminToken);

      await t.test('the release page shows them in its facts', async () => {
        await admin.locator('.big-weight[data-weight="10"]').waitFor({ timeout: waitMs });
        assert.equal(await admin.locator('[data-fact="requestedBy"]').innerText(), 'release-captain');
        assert.equal(await admin.locator('[data-fact="codeSha256"]').innerText(), expectedSha);
        assert.match(await admin.locator('.summary').innerText(), /release-captain/);
      });

      await t.test('a read-only token sees Promote to 100% disabled, with the reason', async () => {
        const viewer = await openAs(viewerToken);
        await viewer.locator('.big-weight[data-weight="10"]').waitFor({ timeout: waitMs });
        const button = viewer.getByRole('button', { name: 'Promote to 100%' });
        assert.equal(await button.isDisabled(), true);
        assert.equal(
          await viewer.locator('.why[data-why="promote-full"]').innerText(),
          'your token "viewer" lacks the "operate" scope',
        );
        await viewer.close();
      });

      await t.test('cancelling the confirmation leaves the release where it was', async () => {
        await admin.getByRole('button', { name: 'Promote to 100%' }).click();
        const dialog = admin.getByRole('dialog');
        await dialog.waitFor();
        assert.match(await dialog.innerText(), /skips every remaining step/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        const status = await api.stack.releases.status(id);
        assert.equal(status.outcome, null);
        assert.equal(status.candidateWeightPercent, 10);
        assert.ok(!status.timeline.some((e) => e.event === 'promote'), 'nothing was asked');
      });

      await t.test(
        'confirmed, with a reason, it goes to 100% without the 50% step or its approval',
        async () => {
          await admin.getByLabel(/^Reason/).fill('hotfix, verified in staging');
          // From the keyboard: focus the button, Enter opens the confirmation, Enter on its default confirms.
          await admin.getByRole('button', { name: 'Promote to 100%' }).focus();
          await admin.keyboard.press('Enter');
          const dialog = admin.getByRole('dialog');
          await dialog.waitFor();
          assert.match(await dialog.innerText(), /Reason: “hotfix, verified in staging”/);
          await dialog.getByRole('button', { name: 'Yes, promote to 100%' }).click();
          await admin.locator('.head-badges', { hasText: 'succeeded' }).waitFor({ timeout: waitMs });
          await admin.locator('.big-weight[data-weight="100"]').waitFor({ timeout: waitMs });
          const ended = await waitForEnd(api.stack.releases, id);
          assert.equal(ended.outcome, 'succeeded');
          assert.ok(
            ended.timeline.some(
              (e) => e.message === 'full promotion requested by release-captain: hotfix, verified in staging',
            ),
            'the reason reached the timeline',
          );
          assert.ok(!ended.timeline.some((e) => e.event === 'weight_set' && e.details?.weightPercent === 50));
          assert.ok(!ended.timeline.some((e) => e.event === 'awaiting_approval'), 'the approval was skipped');
          const alias = await api.stack.lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
          assert.equal(alias.FunctionVersion, ended.candidateVersion);
          assert.equal(alias.RoutingConfig?.AdditionalVersionWeights, undefined);
          assert.match(await admin.locator('.why-all').innerText(), /already ended \(outcome: succeeded\)/);
          assert.equal(streamsOpened.get(admin), 1, 'the page followed the release on one stream throughout');
        },
      );

      assert.deepEqual(errors, [], 'no script errors in any page');
      for (const context of contexts.splice(0)) await context.close();
    });
  } finally {
    for (const context of contexts) await context.close();
    await browser.close();
  }
});
