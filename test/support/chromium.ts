// Debian's Chromium driven by playwright-core: no browser download is possible here, the package is the browser.
import { chromium, type Browser } from 'playwright-core';
import { findOnPath } from './find-on-path.js';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** launch() gives the browser a fresh, empty user-data-dir of its own and deletes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findOnPath('chromium', 'chromium'), headless: true, args: CHROMIUM_FLAGS });
}
