import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which `npm test` installs when missing (.ci/test-all.mjs); CODETRAIL_CHROMIUM overrides. */
export const CHROMIUM = process.env.CODETRAIL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * A headless Chromium as a person's browser, with nothing of its own reaching out: no background
 * networking, updates or sync (this machine's network is closed, and a page's test must not depend on one).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: run \`sudo apt-get install -y chromium\``);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
