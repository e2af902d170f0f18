import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchChromium } from '../helpers/chromium.ts';

test('without Chromium the browser tests fail, saying how to install it, instead of skipping', async () => {
  await assert.rejects(launchChromium('/nonexistent/chromium'), (error: Error) => {
    assert.match(error.message, /Chromium not found at \/nonexistent\/chromium/);
    assert.match(error.message, /apt-get install -y chromium/);
    return true;
  });
});
