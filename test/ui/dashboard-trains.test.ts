import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadAuthConfig } from '../../src/api/auth.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { outcomesOf, trainKit } from '../helpers/train-stack.ts';

// Trains in the dashboard as a person meets them: headless Chromium against the real API, worker, Temporal
// dev server and simulator (two regions).
const adminToken = 'trains-admin-token-0123456789';
const viewerToken = 'trains-viewer-token-0123456789';
const sha = (token: string) => createHash('sha256').update(token).digest('hex');
const waitMs = 60_000;

const screenshotDir = process.env.RAMP_SCREENSHOT_DIR
  ? resolve(process.env.RAMP_SCREENSHOT_DIR)
  : mkdtempSync(join(tmpdir(), 'ramp-ui-screenshots-'));
mkdirSync(screenshotDir, { recursive: true });

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  const tokens = [
    { name: 'train-captain', sha256: sha(adminToken), scopes: ['admin'] },
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

test('trains in the dashboard: listed with their waves folded, a live train page, and its controls', async (t) => {
  const auth = loadAuthConfig({ tokensFile: tokensFile() });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  try {
    await withApiStack({ auth }, async (api) => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const kit = trainKit(api.stack);
      const [a, b, c] = [uniqueName('ui-orders-api'), uniqueName('ui-orders-worker'), uniqueName('ui-cron')];
      await kit.createFunctionIn('us-east-1', a);
      await kit.createFunctionIn('eu-west-1', a);
      await kit.createFunctionIn('us-east-1', b);
      await kit.createFunctionIn('us-east-1', c);
      const target = (fn: string, region: string) => ({
        function: fn,
        region,
        code: { zipFile: zipBase64({}, `${fn}-${region}-ui`) },
      });
      const startTrain = async (body: unknown) => {
        const started = await api.call('POST', '/v1/trains', { token: adminToken, body });
        assert.equal(started.status, 202, JSON.stringify(started.json));
        return String(started.json.id);
      };
      const trainName = `orders ${uniqueName('v')}`;
      const trainId = await startTrain({
        name: trainName,
        defaults: { alias: 'live', strategy: { steps: [{ weight: 20, bake: '300ms' }] } },
        waves: [
          { name: 'canary region', targets: [target(a, 'us-east-1')] },
          {
            name: 'everything else',
            approval: true,
            targets: [target(a, 'eu-west-1'), target(b, 'us-east-1')],
          },
        ],
      });

      const openAs = async (token: string, width = 1280, height = 900) => {
        const context = await browser.newContext({ viewport: { width, height } });
        contexts.push(context);
        await context.addInitScript(`sessionStorage.setItem('ramp.token', ${JSON.stringify(token)})`);
        const page = await context.newPage();
        watchErrors(page, errors);
        return page;
      };
      const page = await openAs(adminToken);
      const trainRow = page.locator(`tbody[data-train-id="${trainId}"]`);

      await t.test(
        'the list shows the train as one row, filtered by a function one of its targets releases',
        async () => {
          await page.goto(`${base}/ui?function=${b}`);
          await trainRow.waitFor({ timeout: waitMs });
          await trainRow
            .locator('td[data-label="By"]', { hasText: 'train-captain' })
            .waitFor({ timeout: waitMs });
          await trainRow
            .locator('td[data-label="Progress"]', { hasText: 'wave 2 of 2 · 1 of 3 targets ended' })
            .waitFor({ timeout: waitMs });
          const text = await trainRow.innerText();
          assert.match(text, new RegExp(trainName));
          assert.match(text, /awaiting approval/);
          assert.equal(await trainRow.locator('tr.train-waves').count(), 0, 'the waves start folded');
        },
      );

      await t.test('unfolds to its waves, each target a link to its release page', async () => {
        const fold = trainRow.getByRole('button', { name: `Show the waves of ${trainName}` });
        assert.equal(await fold.getAttribute('aria-expanded'), 'false');
        await fold.focus();
        await page.keyboard.press('Enter');
        const waves = trainRow.locator('tr.train-waves .wave');
        await waves.first().waitFor();
        assert.equal(await waves.count(), 2);
        assert.equal(
          await trainRow
            .getByRole('button', { name: `Hide the waves of ${trainName}` })
            .getAttribute('aria-expanded'),
          'true',
        );
        assert.match(await waves.nth(1).innerText(), /everything else[\s\S]*awaiting approval/);
        const status = await kit.trains.status(trainId);
        const canaryRelease = status.waves[0]?.targets[0]?.releaseId;
        assert.ok(canaryRelease);
        await page.screenshot({ path: join(screenshotDir, 'dashboard-trains.png') });
        await waves
          .nth(0)
          .getByRole('link', { name: `${a}:live` })
          .click();
        await page.waitForURL((url) => url.pathname === `/ui/releases/${encodeURIComponent(canaryRelease)}`);
        await page.locator('.head-badges', { hasText: 'succeeded' }).waitFor({ timeout: waitMs });
        await page.goBack();
        await trainRow.waitFor({ timeout: waitMs });
      });

      await t.test(
        'a function no target releases hides the train, and the filter stays in the URL',
        async () => {
          await page.getByLabel('Function').fill(c);
          await page.getByLabel('Function').press('Enter');
          await page.waitForURL((url) => url.searchParams.get('function') === c);
          await page.locator('tr td.empty').waitFor({ timeout: waitMs });
          assert.equal(await trainRow.count(), 0);
          await page.getByLabel('Function').fill(a);
          await page.getByLabel('Function').press('Enter');
          await trainRow.waitFor({ timeout: waitMs });
        },
      );

      await t.test('a read-only token sees the train’s controls disabled, with the reason', async () => {
        const viewer = await openAs(viewerToken);
        await viewer.goto(`${base}/ui/trains/${trainId}`);
        await viewer.locator('.wave').first().waitFor({ timeout: waitMs });
        for (const action of ['pause', 'resume', 'approve', 'abort']) {
          assert.equal(await viewer.locator(`button[data-action="${action}"]`).isDisabled(), true, action);
        }
        assert.equal(
          await viewer.locator('.why-all').innerText(),
          'Controls are off: your token "viewer" lacks the "operate" scope',
        );
        await viewer.close();
      });

      await t.test(
        'the train page approves the waiting wave and follows the train live to its end',
        async () => {
          // The page renders every second and on every status: it must still follow the train on one stream.
          let streamsOpened = 0;
          page.on('request', (request) => {
            if (/^\/v1\/trains\/[^/]+\/events$/.test(new URL(request.url()).pathname)) streamsOpened++;
          });
          await trainRow.getByRole('link', { name: trainName }).click();
          await page.waitForURL((url) => url.pathname === `/ui/trains/${trainId}`);
          await page.evaluate('window.sameDocument = true');
          await page.locator('.connection.live').waitFor({ timeout: waitMs });
          await page.locator('button[data-action="approve"]:enabled').waitFor({ timeout: waitMs });
          assert.equal(await page.locator('.why[data-why="resume"]').innerText(), 'the train is not paused');
          await page.getByLabel(/^Reason/).fill('canary region looks right');
          await page.locator('button[data-action="approve"]').click();
          await page.locator('.head-badges', { hasText: 'succeeded' }).waitFor({ timeout: waitMs });
          assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was never reloaded');
          const waves = page.locator('.wave');
          assert.match(await waves.nth(1).innerText(), /everything else[\s\S]*promoted/);
          assert.equal(await waves.nth(1).getByRole('link').count(), 2, 'each target links to its release');
          const ended = await kit.trains.status(trainId);
          assert.deepEqual(outcomesOf(ended), [
            [`${a}@us-east-1: succeeded`],
            [`${a}@eu-west-1: succeeded`, `${b}@us-east-1: succeeded`],
          ]);
          assert.ok(
            ended.timeline.some(
              (e) => e.message === 'approve requested by train-captain: canary region looks right',
            ),
          );
          assert.match(
            await page.locator('.why-all').innerText(),
            /the train has already ended \(outcome: succeeded\)/,
          );
          assert.equal(streamsOpened, 1, 'the page followed the train on one stream throughout');
          await page.screenshot({ path: join(screenshotDir, 'dashboard-train.png'), fullPage: true });
        },
      );

      await t.test('aborting a train asks for a confirmation first, then rolls it back', async () => {
        const gated = await startTrain({
          name: `cron ${uniqueName('v')}`,
          defaults: { alias: 'live', strategy: 'AllAtOnce' },
          waves: [{ name: 'only', approval: true, targets: [target(c, 'us-east-1')] }],
        });
        await page.goto(`${base}/ui/trains/${gated}`);
        await page.locator('button[data-action="abort"]:enabled').waitFor({ timeout: waitMs });
        await page.locator('button[data-action="abort"]').click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        assert.match(await dialog.innerText(), /goes back to its previous version/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        assert.equal((await kit.trains.status(gated)).outcome, null, 'cancel leaves it running');
        await page.locator('button[data-action="abort"]').click();
        await dialog.getByRole('button', { name: 'Yes, abort' }).click();
        await page.locator('.head-badges', { hasText: 'rolled back' }).waitFor({ timeout: waitMs });
        assert.equal((await kit.trains.status(gated)).outcome, 'rolled_back');
      });

      await t.test('the train page and the list are readable on a phone', async () => {
        const phone = await openAs(adminToken, 390, 844);
        for (const path of [`/ui/trains/${trainId}`, '/ui']) {
          await phone.goto(`${base}${path}`);
          await phone.locator('main h1').waitFor({ timeout: waitMs });
          await phone.locator('.wave, tbody[data-train-id]').first().waitFor({ timeout: waitMs });
          const overflow = await phone.evaluate<number>(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          assert.equal(overflow, 0, `${path} is ${overflow}px wider than the phone`);
        }
      });

      assert.deepEqual(errors, [], 'no script errors in any page');
      for (const context of contexts.splice(0)) await context.close();
      kit.close();
    });
  } finally {
    for (const context of contexts) await context.close();
    await browser.close();
  }
});
