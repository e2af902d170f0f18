import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadAuthConfig } from '../../src/api/auth.ts';
import type { ReleaseStatus } from '../../src/domain/release-status.ts';
import { withApiStack } from '../helpers/api-stack.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { zipBase64 } from '../helpers/release-stack.ts';
import { uniqueName } from '../helpers/temporal.ts';
import { waitForEnd, waitForStatus } from '../helpers/wait-for.ts';

// The dashboard as a person uses it: headless Chromium against the real API, worker, Temporal dev server and
// simulator (with steady traffic, so health is judged from real per-version metrics).
const adminToken = 'ui-admin-token-0123456789';
const viewerToken = 'ui-viewer-token-0123456789';
const sha = (token: string) => createHash('sha256').update(token).digest('hex');
const waitMs = 45_000;

/** Screenshots go to RAMP_SCREENSHOT_DIR (docs/img refreshes the README's) or a scratch directory. */
const screenshotDir = process.env.RAMP_SCREENSHOT_DIR
  ? resolve(process.env.RAMP_SCREENSHOT_DIR)
  : mkdtempSync(join(tmpdir(), 'ramp-ui-screenshots-'));
mkdirSync(screenshotDir, { recursive: true });

function tokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ramp-tokens-')), 'tokens.json');
  const tokens = [
    { name: 'ops-admin', sha256: sha(adminToken), scopes: ['admin'] },
    { name: 'viewer', sha256: sha(viewerToken), scopes: ['read'] },
  ];
  writeFileSync(path, JSON.stringify({ tokens }));
  return path;
}

async function contextWithToken(browser: Browser, token: string, width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.addInitScript(`sessionStorage.setItem('ramp.token', ${JSON.stringify(token)})`);
  return context;
}

/** Fails the test on any script error in the page, instead of a blank screen passing by. */
function watchErrors(page: Page, errors: string[]) {
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|ERR_FAILED/.test(message.text()))
      errors.push(`${page.url()}: console: ${message.text()}`);
  });
}

test('the dashboard, in a real browser, follows and controls releases against the whole stack', async (t) => {
  const auth = loadAuthConfig({ tokensFile: tokensFile() });
  const browser = await launchChromium();
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  try {
    await withApiStack({ auth, healthGate: 'cloudwatch', metricDelayMs: 0 }, async (api) => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body: JSON.stringify(body),
        });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      };
      const health = (minInvocations: number) => ({
        interval: '1s',
        metrics: { minInvocations, confidence: 0.99, errorRate: { max: 0.05 } },
      });
      const good = uniqueName('ui-pay');
      const bad = uniqueName('ui-auth');
      await api.stack.createFunctionWithAlias(good, 'live');
      await api.stack.createFunctionWithAlias(bad, 'live');
      const traffic = [good, bad].map((functionName) =>
        api.stack.sim.traffic.start({ functionName, qualifier: 'live', ratePerSecond: 60 }),
      );
      try {
        const goodStart = await post('/v1/releases', {
          function: good,
          alias: 'live',
          code: { zipFile: zipBase64() },
          description: 'v2.4.0 (9f1c2ab)',
          strategy: {
            steps: [
              { weight: 10, bake: '5s', approval: true },
              { weight: 40, bake: '1h' },
            ],
          },
          // 10% of 60 invocations a second gives the candidate enough in 5 s for a verdict.
          health: health(10),
        });
        assert.equal(goodStart.status, 202);
        const goodId = String(goodStart.json.id);
        const badStart = await post('/v1/releases', {
          function: bad,
          alias: 'live',
          code: { zipFile: zipBase64({ errorRate: 0.5 }) },
          strategy: { steps: [{ weight: 50, bake: '1m' }] },
          health: health(20),
        });
        const badId = String(badStart.json.id);

        const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        contexts.push(adminContext);
        // Adds up layout shifts (as Core Web Vitals count them) so the test can tell whether updates move things.
        await adminContext.addInitScript(`
          window.layoutShift = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
          }).observe({ type: 'layout-shift', buffered: true });
        `);
        const page = await adminContext.newPage();
        watchErrors(page, errors);

        await t.test('signs in with a token and sees the running release in the live list', async () => {
          await page.goto(`${base}/ui?function=${good}`);
          await page.waitForURL((url) => url.pathname === '/ui/sign-in');
          await page.getByLabel('API token').fill(adminToken);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.waitForURL((url) => url.pathname === '/ui' && url.searchParams.get('function') === good);
          assert.equal(await page.evaluate("sessionStorage.getItem('ramp.token')"), adminToken);
          const row = page.locator(`tr[data-release-id="${goodId}"]`);
          await row.waitFor({ timeout: waitMs });
          await row.locator('td[data-label="By"]', { hasText: 'ops-admin' }).waitFor({ timeout: waitMs });
          const text = await row.innerText();
          assert.match(text, new RegExp(`${good}:live`));
          assert.match(text, /running/);
          assert.match(text, /us-east-1/);
        });

        await t.test('opens the release and watches its weight change live, without a reload', async () => {
          await page.locator(`tr[data-release-id="${goodId}"] a`).click();
          await page.waitForURL((url) => url.pathname === `/ui/releases/${encodeURIComponent(goodId)}`);
          await page.evaluate('window.sameDocument = true');
          await page.locator('.big-weight[data-weight="10"]').waitFor({ timeout: waitMs });
          await page.locator('button[data-action="approve"]:enabled').waitFor({ timeout: waitMs });
          await page.locator('.verdict[data-status="pass"]').first().waitFor({ timeout: waitMs });
          assert.match(await page.locator('.plan').innerText(), /10%[\s\S]*40%[\s\S]*100%/);
          assert.ok(await page.locator('.chart-box canvas').count(), 'uPlot drew the chart');
        });

        await t.test('pauses and resumes with the buttons, from the keyboard, with a reason', async () => {
          await page.getByLabel(/^Reason/).fill('looking at the graphs');
          await page.keyboard.press('Tab');
          assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-action')"), 'pause');
          await page.keyboard.press('Enter');
          await page.locator('.phase', { hasText: '(paused)' }).waitFor({ timeout: waitMs });
          await page.locator('button[data-action="resume"]:enabled').waitFor();
          assert.equal(
            await page.locator('.why[data-why="pause"]').innerText(),
            'the release is already paused',
          );
          await page.locator('button[data-action="resume"]').click();
          await page.locator('button[data-action="pause"]:enabled').waitFor({ timeout: waitMs });
          assert.equal(
            await page.locator('.why[data-why="resume"]').innerText(),
            'the release is not paused',
          );
          const status = await api.stack.releases.status(goodId);
          assert.ok(
            status.timeline.some((e) => e.message === 'pause requested by ops-admin: looking at the graphs'),
            'the reason reached the timeline',
          );
        });

        await t.test(
          'approves the gated step, and the page follows the shift to the next weight',
          async () => {
            await page.evaluate('window.layoutShift = 0');
            await page.locator('button[data-action="approve"]').click();
            await page.locator('.big-weight[data-weight="40"]').waitFor({ timeout: waitMs });
            await page.locator('.step.current', { hasText: '40%' }).waitFor({ timeout: waitMs });
            const shift = await page.evaluate<number>('window.layoutShift');
            console.log(`layout shift while the release moved from 10% to 40%: ${shift.toFixed(4)}`);
            assert.ok(shift < 0.01, `the page moved under the reader (layout shift ${shift})`);
            await page.locator('.bake .countdown').waitFor({ timeout: waitMs });
            assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was never reloaded');
            assert.match(await page.locator('.u-legend').innerText(), /Candidate weight/);
            await page.screenshot({ path: join(screenshotDir, 'dashboard-release.png'), fullPage: true });
          },
        );

        await t.test('a read-only token sees every control disabled, with the reason', async () => {
          const viewer = await contextWithToken(browser, viewerToken);
          contexts.push(viewer);
          const viewerPage = await viewer.newPage();
          watchErrors(viewerPage, errors);
          await viewerPage.goto(`${base}/ui/releases/${encodeURIComponent(goodId)}`);
          await viewerPage.locator('.big-weight[data-weight="40"]').waitFor({ timeout: waitMs });
          for (const action of ['pause', 'resume', 'approve', 'promote', 'abort']) {
            assert.equal(
              await viewerPage.locator(`button[data-action="${action}"]`).isDisabled(),
              true,
              action,
            );
            assert.equal(
              await viewerPage.locator(`.why[data-why="${action}"]`).innerText(),
              'your token "viewer" lacks the "operate" scope',
            );
          }
          assert.equal(
            await viewerPage.locator('.why-all').innerText(),
            'Controls are off: your token "viewer" lacks the "operate" scope',
          );
          assert.match(await viewerPage.locator('header').innerText(), /signed in as viewer \(read\)/);
        });

        await t.test('a refused action shows the API’s 409 message as it comes', async () => {
          // A second tab whose live stream the network keeps cutting still shows the status it first read;
          // the release is paused behind its back, so its Pause button asks for what is no longer allowed.
          // sessionStorage belongs to a tab, so another tab signs in again (here, through the init script).
          const staleContext = await contextWithToken(browser, adminToken);
          contexts.push(staleContext);
          const stale = await staleContext.newPage();
          watchErrors(stale, errors);
          await stale.route('**/events', (route) => route.abort());
          await stale.goto(`${base}/ui/releases/${encodeURIComponent(goodId)}`);
          await stale.locator('button[data-action="pause"]:enabled').waitFor({ timeout: waitMs });
          assert.equal((await post(`/v1/releases/${goodId}/pause`, {})).status, 200);
          await stale.locator('button[data-action="pause"]').click();
          const result = stale.locator('.control-result.error');
          await result.waitFor({ timeout: waitMs });
          assert.equal(await result.innerText(), '409 cannot pause: the release is already paused');
          await stale.close();
          assert.equal((await post(`/v1/releases/${goodId}/resume`, {})).status, 200);
        });

        await t.test('the list keeps its filters in the URL and shows both releases', async () => {
          await page.getByRole('navigation').getByRole('link', { name: 'Releases' }).click();
          await page.waitForURL((url) => url.pathname === '/ui' && url.search === '');
          await page.locator(`tr[data-release-id="${badId}"]`).waitFor({ timeout: waitMs });
          await page.locator(`tr[data-release-id="${goodId}"] .weight-figure`, { hasText: '40%' }).waitFor();
          await page.screenshot({ path: join(screenshotDir, 'dashboard-releases.png') });
          await page.getByLabel('State').selectOption('true');
          await page.waitForURL((url) => url.searchParams.get('running') === 'true');
          await page.reload();
          assert.equal(await page.getByLabel('State').inputValue(), 'true', 'the filter survives a reload');
        });

        await t.test('a rolled-back release shows the failing verdict and its figures', async () => {
          const ended = await waitForEnd(api.stack.releases, badId, 90_000);
          assert.equal(ended.outcome, 'rolled_back');
          await page.goto(`${base}/ui/releases/${encodeURIComponent(badId)}`);
          const failed = page.locator('.verdict[data-status="fail"]');
          await failed.waitFor({ timeout: waitMs });
          assert.match(await failed.locator('.verdict-message').innerText(), /error rate/);
          assert.ok(
            (await failed.locator('table.checks tr.fail').count()) > 0,
            'the failing check’s figures',
          );
          assert.match(await page.locator('.head-badges').innerText(), /rolled back/);
          assert.match(await page.locator('.problem-message').innerText(), /unhealthy/);
          await page.screenshot({ path: join(screenshotDir, 'dashboard-rolled-back.png'), fullPage: true });
        });

        await t.test('aborting asks for a confirmation first, then rolls back', async () => {
          await page.goto(`${base}/ui/releases/${encodeURIComponent(goodId)}`);
          await page.locator('button[data-action="abort"]:enabled').waitFor({ timeout: waitMs });
          await page.locator('button[data-action="abort"]').click();
          const dialog = page.getByRole('dialog');
          await dialog.waitFor();
          await dialog.getByRole('button', { name: 'Cancel' }).click();
          assert.equal((await api.stack.releases.status(goodId)).outcome, null, 'cancel leaves it running');
          await page.locator('button[data-action="abort"]').click();
          await dialog.getByRole('button', { name: 'Yes, abort' }).click();
          await page.locator('.head-badges', { hasText: 'rolled back' }).waitFor({ timeout: waitMs });
          const status: ReleaseStatus = await waitForStatus(
            api.stack.releases,
            goodId,
            (s) => s.outcome !== null,
          );
          assert.equal(status.outcome, 'rolled_back');
        });

        await t.test('is readable on a phone: nothing runs off the side', async () => {
          const phone = await contextWithToken(browser, adminToken, 390, 844);
          contexts.push(phone);
          const phonePage = await phone.newPage();
          watchErrors(phonePage, errors);
          for (const path of ['/ui', `/ui/releases/${encodeURIComponent(badId)}`]) {
            await phonePage.goto(`${base}${path}`);
            await phonePage.locator('main h1').waitFor({ timeout: waitMs });
            await phonePage.locator('tr[data-release-id], .verdict').first().waitFor({ timeout: waitMs });
            const overflow = await phonePage.evaluate<number>(
              'document.documentElement.scrollWidth - document.documentElement.clientWidth',
            );
            assert.equal(overflow, 0, `${path} is ${overflow}px wider than the phone`);
          }
          await phonePage.screenshot({ path: join(screenshotDir, 'dashboard-phone.png'), fullPage: true });
        });

        assert.deepEqual(errors, [], 'no script errors in any page');
        console.log(`dashboard screenshots: ${screenshotDir}`);
      } finally {
        for (const generator of traffic) generator.stop();
        // The pages stop polling and streaming before the stack (and its Temporal connection) goes away.
        for (const context of contexts.splice(0)) await context.close();
      }
    });
  } finally {
    for (const context of contexts) await context.close();
    await browser.close();
  }
});

test('with no token configured (loopback only), the dashboard opens without a sign-in', async () => {
  const browser = await launchChromium();
  try {
    await withApiStack({}, async (api) => {
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const fn = uniqueName('ui-open');
      await api.stack.createFunctionWithAlias(fn, 'live');
      const id = await api.stack.startRelease({
        function: fn,
        alias: 'live',
        code: { zipFile: zipBase64() },
        strategy: { steps: [{ weight: 20, bake: '200ms' }] },
      });
      await waitForEnd(api.stack.releases, id);
      const page = await browser.newPage();
      const errors: string[] = [];
      watchErrors(page, errors);
      await page.goto(`${base}/ui/releases/${encodeURIComponent(id)}`);
      await page.locator('.head-badges', { hasText: 'succeeded' }).waitFor({ timeout: waitMs });
      assert.equal(new URL(page.url()).pathname, `/ui/releases/${encodeURIComponent(id)}`, 'no sign-in');
      assert.match(await page.locator('header').innerText(), /open API \(no token needed\)/);
      assert.match(await page.locator('.plan').innerText(), /20%[\s\S]*done[\s\S]*100%[\s\S]*done/);
      assert.deepEqual(errors, []);
      // The page stops polling before the stack (and its Temporal connection) goes away.
      await page.close();
    });
  } finally {
    await browser.close();
  }
});
