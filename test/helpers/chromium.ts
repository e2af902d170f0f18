import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's `chromium` package, driven by playwright-core (browser downloads do not work here, and the
 * tests must not depend on one). Missing Chromium is a failure, never a skip: `.ci/run` installs it.
 */
export const chromiumPath = process.env.RAMP_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(path = chromiumPath): Promise<Browser> {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${path}: the dashboard's browser tests need it. ` +
        'Install it with `apt-get install -y chromium` (as .ci/run does) or set RAMP_CHROMIUM to its path.',
    );
  }
  // As root (CI, containers) Chromium refuses to start with its sandbox.
  return chromium.launch({ executablePath: path, headless: true, args: ['--no-sandbox'] });
}
